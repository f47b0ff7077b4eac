/**
 * Escape text for HTML and SVG, in element content and in quoted attribute values alike: every user-supplied
 * string (task names, metric names, notes) passes through here before it reaches the page.
 */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}
