"""What the browser tests share: Debian's Chromium (driven by Playwright, no downloaded browser),
the marks that skip them only where it is missing, and a recorder of CSP violations."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# HeadlessChrome's own user agent is treated as a bot (no upvotes, no page views, no widget counts)
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
NEEDS_CHROMIUM = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
