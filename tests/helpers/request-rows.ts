import { newRequestRow, type NewRequest, type RequestRow } from '../../src/requests/request-store';

/**
 * Makes request rows as the desk stores them, for tests of code that reads them: an open repair
 * in 江湾小区 7号楼, each with the next id and number. `base` is what a test file's requests
 * share (a filing time at least); each call's `fields` go over the stored row.
 */
export function requestRows(
  base: Partial<NewRequest> & Pick<NewRequest, 'createdAt'>,
): (fields?: Partial<RequestRow>) => RequestRow {
  let id = 0;
  return (fields = {}) => {
    id += 1;
    return {
      ...newRequestRow(String(id), {
        no: id,
        compoundId: 'jiangwan',
        buildingId: 'jw-b7',
        unitNo: null,
        room: null,
        category: 'repair',
        text: '楼道灯不亮',
        imageUrls: [],
        reporterId: 'zhang.min',
        chatId: null,
        status: 'open',
        priority: 'normal',
        hazard: null,
        utility: null,
        assigneeId: null,
        teamIds: [],
        ackDueAt: null,
        resolveDueAt: null,
        inboundId: null,
        ...base,
      }),
      ...fields,
    };
  };
}
