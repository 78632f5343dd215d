/**
 * The page at `/_/` until the dashboard is built: one HTML shell whose script (page-script.ts) reads the hash
 * route and shows the confirmation form a mailed link asks for. Kept as strings in TS modules so the same
 * import works in the compiled binary and under Node; no inline script or style, so `default-src 'self'` holds.
 */
export const AUTH_PAGE_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex,nofollow">
<title>Galley</title>
<link rel="icon" href="./assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="./assets/auth-pages.css">
<script src="./assets/auth-pages.js" defer></script>
</head>
<body>
<main id="app" class="card">
<h1 id="title" tabindex="-1">Galley</h1>
<noscript><p>This page needs JavaScript to confirm the link from your mail.</p></noscript>
</main>
<footer class="footer">Galley</footer>
</body>
</html>
`;
