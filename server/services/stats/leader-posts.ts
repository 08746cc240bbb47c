// 领导职数 usage (domain-spec.md §8, §2.2): per unit × level × 正职/副职 核定 L, 实配 Lr, 超配, 空缺, usage %,
// roll-ups by level and kind and for the district, and the district list of units with 超配 > 0.
//
// Definitions (also returned in `definitions`):
// - L and Lr as recorded in leader_posts at the snapshot (Lr is kept by the workflows: 入编/调整/出编);
// - 超配 = max(Lr − L, 0); 空缺 = max(L − Lr, 0); usage = Lr / L (null when L = 0);
// - roll-ups add L, Lr and add the rows' 超配 and 空缺 (one unit's 空缺 does not cancel another's 超配);
// - overUnits: units with 超配 > 0 in at least one level × kind, with their total 超配.
import { header, unitFilter, KIND_NAMES, type ExportTable, type ReportContext, type ReportResult } from './report';
import { num, ratio, rows, sql } from './sql';

export interface LeaderPostRow {
  unitId: string;
  unitCode: string;
  unitName: string;
  level: string;
  kind: string;
  approved: number;
  actual: number;
  over: number;
  vacant: number;
  usageRate: number | null;
}

export interface LeaderPostRollup {
  key: string;
  label: string;
  approved: number;
  actual: number;
  over: number;
  vacant: number;
  usageRate: number | null;
}

export interface LeaderPostsReport extends ReportResult {
  posts: LeaderPostRow[];
  byLevel: LeaderPostRollup[];
  total: LeaderPostRollup;
  overUnits: Array<{ unitId: string; unitCode: string; unitName: string; over: number; posts: string[] }>;
}

export const DEFINITIONS = {
  approved: '核定职数 L、实配 Lr：快照时领导职数台账的记录值',
  over: '超配 = max(Lr − L, 0)；汇总为各行超配之和',
  vacant: '空缺 = max(L − Lr, 0)；汇总为各行空缺之和',
  usageRate: '使用率 = Lr / L；L = 0 时为空（—）',
  overUnits: '超配单位：任一层级正职或副职超配 > 0 的单位',
};

export async function leaderPostsReport(ctx: ReportContext): Promise<LeaderPostsReport> {
  const found = await rows<Record<string, unknown>>(
    ctx.db,
    sql`select l.unit_id, u.code, u.name, l.level, l.kind, l.approved, l.actual
          from (${ctx.source.leaderPosts}) l join (${ctx.source.units}) u on u.unit_id = l.unit_id
         where true ${unitFilter(ctx, 'l.unit_id')}
         order by u.code, l.level, l.kind desc`,
  );
  const posts: LeaderPostRow[] = found.map((r) => {
    const [approved, actual] = [num(r.approved), num(r.actual)];
    return {
      unitId: String(r.unit_id),
      unitCode: String(r.code),
      unitName: String(r.name),
      level: String(r.level),
      kind: String(r.kind),
      approved,
      actual,
      over: Math.max(actual - approved, 0),
      vacant: Math.max(approved - actual, 0),
      usageRate: ratio(actual, approved),
    };
  });
  const groups = new Map<string, LeaderPostRollup>();
  const total: LeaderPostRollup = { key: 'total', label: '全区合计', approved: 0, actual: 0, over: 0, vacant: 0, usageRate: null };
  const overUnits = new Map<string, LeaderPostsReport['overUnits'][number]>();
  for (const p of posts) {
    const key = `${p.level} ${p.kind}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, label: `${p.level}${KIND_NAMES[p.kind] ?? p.kind}`, approved: 0, actual: 0, over: 0, vacant: 0, usageRate: null }));
    for (const t of [g, total]) {
      t.approved += p.approved;
      t.actual += p.actual;
      t.over += p.over;
      t.vacant += p.vacant;
    }
    if (p.over > 0) {
      let u = overUnits.get(p.unitId);
      if (!u) overUnits.set(p.unitId, (u = { unitId: p.unitId, unitCode: p.unitCode, unitName: p.unitName, over: 0, posts: [] }));
      u.over += p.over;
      u.posts.push(`${p.level}${KIND_NAMES[p.kind] ?? p.kind}`);
    }
  }
  for (const g of [...groups.values(), total]) g.usageRate = ratio(g.actual, g.approved);
  return {
    snapshot: header(ctx),
    definitions: DEFINITIONS,
    posts,
    byLevel: [...groups.values()].sort((a, b) => a.label.localeCompare(b.label, 'zh-CN')),
    total,
    overUnits: [...overUnits.values()].sort((a, b) => b.over - a.over || a.unitCode.localeCompare(b.unitCode)),
  };
}

const FIGURES: ExportTable['columns'] = [
  { key: 'approved', header: '核定职数', type: 'int' },
  { key: 'actual', header: '实配', type: 'int' },
  { key: 'over', header: '超配', type: 'int' },
  { key: 'vacant', header: '空缺', type: 'int' },
  { key: 'usageRate', header: '使用率', type: 'percent' },
];

export function leaderPostsTables(report: LeaderPostsReport): ExportTable[] {
  return [
    {
      name: 'posts',
      title: '单位领导职数',
      columns: [
        { key: 'unitCode', header: '单位代码', type: 'text', width: 12 },
        { key: 'unitName', header: '单位名称', type: 'text', width: 28 },
        { key: 'level', header: '层级', type: 'text' },
        { key: 'kindName', header: '正副职', type: 'text' },
        ...FIGURES,
      ],
      rows: (function* () {
        for (const p of report.posts) yield { ...p, kindName: KIND_NAMES[p.kind] ?? p.kind };
      })(),
    },
    { name: 'by-level', title: '按层级', columns: [{ key: 'label', header: '层级', type: 'text', width: 16 }, ...FIGURES], rows: [...report.byLevel, report.total] as unknown as Record<string, unknown>[] },
    {
      name: 'over-units',
      title: '超配单位',
      columns: [
        { key: 'unitCode', header: '单位代码', type: 'text', width: 12 },
        { key: 'unitName', header: '单位名称', type: 'text', width: 28 },
        { key: 'over', header: '超配', type: 'int' },
        { key: 'postsText', header: '超配职数', type: 'text', width: 30 },
      ],
      rows: report.overUnits.map((u) => ({ ...u, postsText: u.posts.join('、') })),
    },
  ];
}
