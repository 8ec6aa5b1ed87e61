// The HTML LuCI's templates would send (header with the theme and luci.js, the view's
// placeholder, the login form), trimmed to what a view needs.

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// The bootstrap theme sets data-darkmode on <html> from its setting or the browser's
// preference; ?theme=dark|light stands in for the setting.
function head(title: string, theme: string | null): string {
  const setting = theme === 'dark' ? 'true' : theme === 'light' ? 'false' : null;
  return `<!DOCTYPE html>
<html lang="en" data-darkmode="${setting ?? 'false'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} - LuCI (bond dev)</title>
<link rel="stylesheet" href="/luci-static/dev/theme.css">
${setting === null ? `<script>document.documentElement.setAttribute('data-darkmode', String(matchMedia('(prefers-color-scheme: dark)').matches));</script>` : ''}
</head>`;
}

function header(user: string | null): string {
  return `<header class="dev-header">
<a class="brand" href="/cgi-bin/luci/admin/network/bonding">OpenWrt <small>(bond dev UI)</small></a>
<nav aria-label="Main menu"><ul><li>Status</li><li>System</li><li class="active">Network<ul><li>Interfaces</li><li aria-current="page"><a href="/cgi-bin/luci/admin/network/bonding">Bonding</a></li></ul></li></ul></nav>
${user ? `<span class="dev-user">${esc(user)}</span>` : ''}
</header>`;
}

export interface ViewPageEnv {
  sessionid: string;
  user: string;
  readonly: boolean;
  theme: string | null;
  lang: string | null;
}

export function viewPage(e: ViewPageEnv): string {
  const env = {
    sessionid: e.sessionid,
    base_url: '/luci-static/resources',
    ubuspath: '/ubus',
    pollinterval: 5,
    apply_rollback: 30,
    apply_display: 1.5,
    nodespec: { satisfied: true, readonly: e.readonly },
    lang: e.lang ?? 'en',
  };
  return `${head('Bonding', e.theme)}
<body>
${header(e.user)}
<div id="maincontent" class="container">
<div id="view"><div class="spinning">Loading view…</div></div>
</div>
<footer class="dev-footer">Stand-in for LuCI: the page is the real view bundle; /ubus is the dev server.</footer>
<script src="/luci-static/resources/luci.js"></script>
<script>
window.L = new LuCI(${JSON.stringify(env)});
L.require('ui').then(function(ui) { return ui.instantiateView('bonding/overview'); }).catch(function(e) { L.error(e); });
</script>
</body>
</html>
`;
}

export function loginPage(theme: string | null, failed: boolean): string {
  return `${head('Authorization Required', theme)}
<body>
${header(null)}
<div id="maincontent" class="container">
<form method="post" class="dev-login">
<h2>Authorization Required</h2>
${failed ? '<div class="alert-message error" role="alert">Invalid username and/or password! Please try again.</div>' : ''}
<p>Please enter your username and password. (Dev UI: <code>root</code> may change settings, <code>viewer</code> may only look.)</p>
<div class="cbi-value"><label class="cbi-value-title" for="luci_username">Username</label><div class="cbi-value-field"><input id="luci_username" name="luci_username" type="text" autocomplete="username" value="root"></div></div>
<div class="cbi-value"><label class="cbi-value-title" for="luci_password">Password</label><div class="cbi-value-field"><input id="luci_password" name="luci_password" type="password" autocomplete="current-password"></div></div>
<div class="cbi-page-actions"><button class="cbi-button cbi-button-positive" type="submit">Log in</button></div>
</form>
</div>
</body>
</html>
`;
}
