import { usePageTitle } from '../components/layout.js';
import { EmptyState } from '../components/notice.js';
import { Link } from '../lib/router.js';

export function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <EmptyState title="There is no page here">
      <p>The link may be old or mistyped.</p>
      <p>
        <Link to="/">Go to your issues</Link>
      </p>
    </EmptyState>
  );
}
