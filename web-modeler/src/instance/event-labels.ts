// zh-CN words for the history's event kinds and actors.
const KIND_LABELS: Record<string, string> = {
  'instance.created': '发起流程',
  'instance.completed': '流程办结',
  'instance.canceled': '流程撤销',
  'instance.terminated': '流程终止',
  'element.entered': '进入环节',
  'element.completed': '环节完成',
  'element.terminated': '环节跳过或取消',
  'flow.taken': '经过连线',
  'job.created': '创建自动任务',
  'job.activated': '自动任务开始',
  'job.completed': '自动任务完成',
  'job.failed': '自动任务失败',
  'job.error-thrown': '自动任务返回业务错误',
  'job.retries-updated': '修改重试次数',
  'user-task.created': '生成待办',
  'user-task.claimed': '认领待办',
  'user-task.unclaimed': '退回待办池',
  'user-task.completed': '提交办理',
  'user-task.escalated': '待办超时升级',
  'task.assigned': '指派待办',
  'task.delegated': '委托办理',
  'task.returned': '委托归还',
  'variables.changed': '数据变更',
  'message.correlated': '收到消息',
  'timer.fired': '定时器触发',
  'incident.created': '出现故障',
  'incident.resolved': '故障已解决',
  'case.overdue': '案件超期',
};

export const kindLabel = (kind: string): string => KIND_LABELS[kind] ?? kind;

/** The recorded inputs and ends of a case: the steps a reader jumps between. */
export const STEP_KINDS: ReadonlySet<string> = new Set([
  'instance.created',
  'user-task.completed',
  'job.completed',
  'job.error-thrown',
  'message.correlated',
  'timer.fired',
  'incident.created',
  'incident.resolved',
  'instance.completed',
  'instance.canceled',
  'instance.terminated',
]);

/** `user:unit-U001` → `unit-U001`; a worker or the system by its role. */
export function actorLabel(actor: string): string {
  const [kind, ...rest] = actor.split(':');
  const id = rest.join(':');
  if (kind === 'user') return id;
  if (kind === 'worker') return `自动处理（${id}）`;
  if (kind === 'system') return `系统（${id}）`;
  return actor;
}
