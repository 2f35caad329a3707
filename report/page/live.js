// The live page's poll: asks its own server every second whether a period
// has ended and, if so, reloads the page (the same report page, built from
// the periods so far), keeping the reader's place. When the server has gone
// (the run has ended), it says so and leaves the page as it is.
(function () {
  'use strict';
  var POLL_MS = 1000;
  var banner = document.getElementById('live');
  if (!banner || banner.getAttribute('data-ended') === 'true') return;
  var version = banner.getAttribute('data-version') || '';
  var store = window.sessionStorage;
  var viewer = store.getItem('hmp-live-viewer') || String(Math.random()).slice(2, 14);
  store.setItem('hmp-live-viewer', viewer);
  var y = store.getItem('hmp-live-y');
  if (y !== null) {
    store.removeItem('hmp-live-y');
    window.scrollTo(0, Number(y) || 0);
  }
  var failures = 0;

  function gone() {
    var note = document.getElementById('live-gone');
    if (note) note.hidden = false;
  }

  function poll() {
    fetch('state?viewer=' + encodeURIComponent(viewer) + '&version=' + encodeURIComponent(version), { cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) throw new Error('status ' + r.status);
        return r.json();
      })
      .then(function (s) {
        failures = 0;
        if (s.version !== version) {
          store.setItem('hmp-live-y', String(window.scrollY));
          window.location.reload();
          return;
        }
        setTimeout(poll, POLL_MS);
      })
      .catch(function () {
        if (++failures >= 3) return gone();
        setTimeout(poll, POLL_MS);
      });
  }
  setTimeout(poll, POLL_MS);
})();
