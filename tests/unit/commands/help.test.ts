// The registry first, as the desk loads it: help lists the registry, which holds help.
import '../../../src/commands/registry';
import { helpText } from '../../../src/commands/help';
import { buildCategoryTable, DEFAULT_CATEGORY_TABLE } from '../../../src/intake/parse';

describe('helpText', () => {
  it("lists the ledger's own categories and the robot's name", () => {
    const table = buildCategoryTable([{ code: 'parking', name: '停车', synonyms: ['车位'] }]);
    const [first] = helpText(false, table, '邻里小帮手').split('\n');
    expect(first).toBe(
      '报事：@邻里小帮手 #报修 2单元楼道灯不亮（也可用 #求助 #投诉 #建议 #咨询 #议事 #停车）',
    );
  });

  it('sends escalations to the grid worker and the street, not to a property company', () => {
    const staff = helpText(true, DEFAULT_CATEGORY_TABLE, '睦邻助手');
    expect(staff).toContain('上报 12 需要街道协调：报给网格员、街道');
    expect(staff).not.toContain('物业');
  });

  it('tells handlers that 进展 and 办结 take photos too', () => {
    const staff = helpText(true, DEFAULT_CATEGORY_TABLE, '睦邻助手');
    expect(staff).toContain('进展 12 已联系师傅：补充进展，可带照片');
    expect(staff).toContain('办结 12 灯已换好：办完了，可带照片');
  });

  it('shows residents only what they may use', () => {
    const resident = helpText(false, DEFAULT_CATEGORY_TABLE, '睦邻助手');
    expect(resident).toContain('撤回 12');
    expect(resident).toContain('补充 12 是三楼不是二楼：补充情况或照片');
    expect(resident).toContain('催办 12：催处理人');
    expect(resident.split('\n')[1]).toBe(
      '照片：报事前后10分钟内@我发照片，会附在那件事上；过后发「补充 编号」并带上照片',
    );
    expect(resident).not.toContain('上报');
  });
});
