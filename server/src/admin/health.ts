/** wire: GET /api/health. */
export function describeHealth(): Record<string, unknown> {
  return { message: 'API is healthy.', code: 200, data: {} };
}
