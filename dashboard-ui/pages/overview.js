// Placeholder until the delivery engine's new shape lands.
import { html } from '../lib.js';

/** The page title. */
export const title = () => 'Overview';

/** The page. */
export function Page() {
  return html`<p>Coming soon.</p>`;
}
