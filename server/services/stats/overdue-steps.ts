// 超期环节 by department, live (not from a month-end snapshot: open tasks are now): for each department
// the open steps, those past their due time (办理时限), those escalated to the leaders, and of the
// steps completed in the last `days` days how many were completed late.
//
// A task counts once for each department among its candidate groups: a leaders' group counts for its
// department (`bianban-leader` → 编办), unit groups (`unit`, `unit:U001`, `supervisor`, `supervisor:U002`)
// for 用人单位. Departments are those of server/core/auth-user.ts DEPARTMENTS, in that order.
import type { Knex } from 'knex';
import { DEPARTMENTS } from '../../core/auth-user';
import { SUPERVISOR_GROUP, UNIT_GROUP } from '../../core/policy';
import { num, rows, sql } from './sql';

export interface DepartmentSteps {
  departmentId: string;
  departmentName: string;
  open: number;
  overdue: number;
  escalated: number;
  completed: number;
  completedLate: number;
}

export interface OverdueStepsReport {
  at: string;
  days: number;
  byDepartment: DepartmentSteps[];
  definitions: Record<string, string>;
}

export const OVERDUE_STEPS_DEFINITIONS = {
  overdue: '超期：未办结且已过办理时限（任务到期时间）的环节',
  escalated: '已督办：超期后已报部门领导（加入领导候选组）的环节',
  completedLate: '超期办结：统计期内办结、办结时间晚于到期时间的环节',
  department: '按候选组归属部门：领导组计入其部门，单位组计入用人单位；一个环节只计入每个部门一次',
};

export async function overdueStepsReport(db: Knex, now: Date, days: number): Promise<OverdueStepsReport> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const counted = await rows<Record<string, unknown>>(
    db,
    sql`with task_departments as (
          select distinct t.id, t.state, t.due_at, t.completed_at,
                 case when g in (${UNIT_GROUP}, ${SUPERVISOR_GROUP}) or g like ${`${UNIT_GROUP}:%`} or g like ${`${SUPERVISOR_GROUP}:%`} then ${UNIT_GROUP}
                      when g like '%-leader' then left(g, length(g) - length('-leader'))
                      else g end as department
            from user_tasks t cross join lateral unnest(t.candidate_groups) g
           where t.state = 'created' or (t.state = 'completed' and t.completed_at >= ${since})
        )
        select d.department,
               count(*) filter (where d.state = 'created') as open,
               count(*) filter (where d.state = 'created' and d.due_at < ${now}) as overdue,
               count(*) filter (where d.state = 'created' and d.due_at < ${now} and exists (select 1 from task_escalations e where e.task_id = d.id)) as escalated,
               count(*) filter (where d.state = 'completed') as completed,
               count(*) filter (where d.state = 'completed' and d.completed_at > d.due_at) as completed_late
          from task_departments d
         group by d.department`,
  );
  const byId = new Map(counted.map((r) => [String(r.department), r]));
  return {
    at: now.toISOString(),
    days,
    byDepartment: DEPARTMENTS.map((d) => {
      const r = byId.get(d.id) ?? {};
      return { departmentId: d.id, departmentName: d.name, open: num(r.open), overdue: num(r.overdue), escalated: num(r.escalated), completed: num(r.completed), completedLate: num(r.completed_late) };
    }),
    definitions: OVERDUE_STEPS_DEFINITIONS,
  };
}
