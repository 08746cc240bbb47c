// The case file downloads: the JSON export (the record with its hashes) and the PDF case report, saved
// under the names the server gives them.
import { ApiError, openProtectedFile } from '../shared/api';
import { h, message } from '../shared/dom';
import { exportJsonPath, reportPdfPath } from './case-data';

export function caseExports(instanceId: string): HTMLElement {
  const status = h('div', { class: 'export-status' });
  const download = (label: string, path: string, fileName: string) => {
    const button = h('button', { type: 'button' }, label);
    button.addEventListener('click', async () => {
      button.disabled = true;
      status.replaceChildren();
      try {
        await openProtectedFile(path, fileName);
      } catch (error) {
        status.append(message('error', `${label}失败：${(error as ApiError).message}`));
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  return h('div', { class: 'case-exports' }, h('div', { class: 'toolbar' }, download('导出 JSON', exportJsonPath(instanceId), `instance-${instanceId}-history.json`), download('PDF 案卷报告', reportPdfPath(instanceId), `case-report-${instanceId}.pdf`)), status);
}
