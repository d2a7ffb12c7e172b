import { InboundMessage1764300000000 } from './1764300000000-inbound-message';
import { Ledger1764300100000 } from './1764300100000-ledger';
import { Requests1764300200000 } from './1764300200000-requests';
import { Outbox1764300300000 } from './1764300300000-outbox';
import { Scheduler1764300400000 } from './1764300400000-scheduler';
import { SchedulerIndexes1764300500000 } from './1764300500000-scheduler-indexes';
import { DigestIndexes1764300600000 } from './1764300600000-digest-indexes';
import { OutboxClaim1764300800000 } from './1764300800000-outbox-claim';
import { InboundPhoto1764300900000 } from './1764300900000-inbound-photo';
import { PhotoStatusIndex1764301000000 } from './1764301000000-photo-status-index';
import { ReminderRounds1764301100000 } from './1764301100000-reminder-rounds';
import { ResolveRounds1764301200000 } from './1764301200000-resolve-rounds';
import { Building1764301300000 } from './1764301300000-building';
import { SignInFailures1764301400000 } from './1764301400000-sign-in-failures';
import { OutboxHourly1764301500000 } from './1764301500000-outbox-hourly';
import { PhotosAfterPost1764301600000 } from './1764301600000-photos-after-post';
import { SearchText1764301700000 } from './1764301700000-search-text';
import { EventFormKey1764301800000 } from './1764301800000-event-form-key';
import { AuditLog1764301900000 } from './1764301900000-audit-log';
import { ChineseNumeralPhones1764302200000 } from './1764302200000-chinese-numeral-phones';
import { PhotoHold1764302400000 } from './1764302400000-photo-hold';

/** Every migration, oldest first. Listed as classes so compiled and ts-jest runs find the same set. */
export const migrations = [
  InboundMessage1764300000000,
  Ledger1764300100000,
  Requests1764300200000,
  Outbox1764300300000,
  Scheduler1764300400000,
  SchedulerIndexes1764300500000,
  DigestIndexes1764300600000,
  OutboxClaim1764300800000,
  InboundPhoto1764300900000,
  PhotoStatusIndex1764301000000,
  ReminderRounds1764301100000,
  ResolveRounds1764301200000,
  Building1764301300000,
  SignInFailures1764301400000,
  OutboxHourly1764301500000,
  PhotosAfterPost1764301600000,
  SearchText1764301700000,
  EventFormKey1764301800000,
  AuditLog1764301900000,
  ChineseNumeralPhones1764302200000,
  PhotoHold1764302400000,
];
