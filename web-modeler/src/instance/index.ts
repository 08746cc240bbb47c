// placeholder entry — replaced by the page's implementation
import '../shared/base.css';
import { startPage } from '../shared/shell';

void startPage('/instance');
