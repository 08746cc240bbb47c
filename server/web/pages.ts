// The browser pages: one entry per page under web-modeler/src/<page>/index.ts, each served at its
// path as a small HTML shell that loads the page's bundle. The shells carry no data: every page logs
// in through the API (token in sessionStorage) and asks the API for what it shows.

export interface WebPage {
  /** entry folder under web-modeler/src and the bundle's name under /assets */
  entry: string;
  /** Express path pattern */
  path: string;
  title: string;
}

export const WEB_PAGES: readonly WebPage[] = [
  { entry: 'login', path: '/', title: '编制流程' },
  { entry: 'modeler', path: '/modeler', title: '流程建模 · 编制流程' },
  { entry: 'inbox', path: '/inbox', title: '待办 · 编制流程' },
  { entry: 'instance', path: '/instances/:id', title: '案件回放 · 编制流程' },
  { entry: 'dashboard', path: '/dashboard', title: '统计看板 · 编制流程' },
];

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The HTML shell of a page: its stylesheet, a mount point and its module script. */
export function pageShell(page: WebPage, hasStylesheet: boolean): string {
  return [
    '<!doctype html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    '<link rel="icon" href="data:,">',
    hasStylesheet ? `<link rel="stylesheet" href="/assets/${page.entry}.css">` : '',
    '</head>',
    '<body>',
    '<div id="app" class="app"><p class="loading">正在加载…</p></div>',
    `<script type="module" src="/assets/${page.entry}.js"></script>`,
    '</body>',
    '</html>',
  ].join('\n');
}
