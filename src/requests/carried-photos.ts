/**
 * The photos a message brings besides a post or photos of their own: a command's (`补充 12` with a
 * picture) or a chat line's. 补充, 进展 and 办结 attach them (commands/attach-carried.ts); whatever
 * handles the message marks them answered once its reply has dealt with them, attached or not,
 * and the desk says they were not attached when nothing did, so no photo is dropped without a word.
 */
export class CarriedPhotos {
  private fate: 'open' | 'answered' | 'refused' | 'for_new_report' = 'open';

  constructor(
    /** The stored message that brought them: its inbound_photo rows are what is attached. */
    readonly inboundId: string,
    readonly count: number,
  ) {}

  /** The reply has told the sender what became of them. */
  answer(): void {
    this.fate = 'answered';
  }

  /**
   * The command that would have taken them was refused, and its reply says why and what to do:
   * the desk adds only that they were not attached (PHOTOS_NOT_TAKEN), not to send them with the
   * very command just refused.
   */
  refuse(): void {
    if (this.fate === 'open') this.fate = 'refused';
  }

  /**
   * The reply asks for a new report (a closed request's 补充 refused, a tag sent without its
   * words): in a building group the desk holds the photos for the sender's next post there
   * (held-photos.ts), and nothing more need be said.
   */
  forNewReport(): void {
    if (this.fate === 'open') this.fate = 'for_new_report';
  }

  get answered(): boolean {
    return this.fate === 'answered';
  }

  get refused(): boolean {
    return this.fate === 'refused';
  }

  get waitForNewReport(): boolean {
    return this.fate === 'for_new_report';
  }
}

/** What the sender is told when a message's photos were attached to nothing. */
export const PHOTOS_NOT_ATTACHED = '照片没有附上，要附到某件事上请发「补充 编号」并带上照片';

/** The same after a refused command, whose refusal says the rest (CarriedPhotos.refuse). */
export const PHOTOS_NOT_TAKEN = '照片没有附上';
