/**
 * A Content-Disposition value per RFC 6266: a quoted ASCII `filename` for old clients and `filename*`
 * (RFC 8187, UTF-8, percent-encoded) carrying the real name.
 */
export function formatContentDisposition(type: 'inline' | 'attachment', filename: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = filename.replace(/[\u0000-\u001f\u007f]/g, '');
  // eslint-disable-next-line no-control-regex
  const ascii = clean.replace(/[^\u0020-\u007e]/g, '_').replace(/["\\]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(clean)}`;
}

/** attr-char of RFC 8187 stays as is; every other byte of the UTF-8 form is %XX. */
function encodeRfc8187(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
