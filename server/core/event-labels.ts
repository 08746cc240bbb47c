// zh-CN names of the audit log's event kinds: one list for the PDF case report and the instance
// page's timeline. No imports, so the browser pages can bundle it.

export const EVENT_KIND_LABELS: Readonly<Record<string, string>> = {
  'instance.created': '发起流程',
  'instance.completed': '流程办结',
  'instance.canceled': '流程撤销',
  'instance.terminated': '流程终止',
  'element.entered': '进入环节',
  'element.completed': '环节完成',
  'element.terminated': '环节终止',
  'flow.taken': '经过连线',
  'variables.changed': '数据变化',
  'user-task.created': '生成待办',
  'user-task.claimed': '认领待办',
  'user-task.unclaimed': '退回认领',
  'user-task.assigned': '指派办理人',
  'user-task.delegated': '委托办理',
  'user-task.returned': '委托归还',
  'user-task.escalated': '待办超时升级',
  'user-task.completed': '办理提交',
  'job.created': '生成作业',
  'job.activated': '作业领取',
  'job.completed': '自动处理完成',
  'job.failed': '自动处理失败',
  'job.error-thrown': '业务异常',
  'job.retries-updated': '调整重试次数',
  'incident.created': '发生故障',
  'incident.resolved': '故障已处理',
  'message.correlated': '收到消息',
  'timer.fired': '定时到期',
  'call.completed': '子流程返回',
  'case.overdue': '案件超期',
};

/** The label of an event kind; an unknown kind as it is. */
export const eventKindLabel = (kind: string): string => EVENT_KIND_LABELS[kind] ?? kind;
