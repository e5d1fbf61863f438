/*
 * boot.js - words for when the page cannot start.
 *
 * A classic script, so it runs where the page's module scripts do not:
 * opened from a file (file://), browsers refuse module scripts, and the page
 * would stay blank. It then says what to do instead. Elsewhere, if the page
 * has not started after a while (a sandboxed frame whose server does not
 * send Access-Control-Allow-Origin, an old browser), it says that too.
 */
(function () {
  var boot = document.getElementById('boot');
  if (!boot) return;
  function say(html) {
    if (document.getElementById('boot')) boot.innerHTML = html;
  }
  if (location.protocol === 'file:') {
    say(
      '<h1 style="font-size:1.3rem">postfix-sim cannot run from a file</h1>' +
        '<p>This page was opened from a file (<code>file://</code>). Browsers do not run its program from there. ' +
        'Serve the folder that holds this <code>index.html</code> with any static web server, then open the address it prints:</p>' +
        '<pre style="background:#eef1f4;color:#1b2128;padding:.6rem .8rem;border-radius:6px;white-space:pre-wrap">' +
        'cd path/to/this/folder\npython3 -m http.server 8000      # then open http://localhost:8000/\n\n' +
        '# or, with Node:\nnpx serve .</pre>' +
        '<p>Nothing needs the Internet: after the first visit the page also works offline. ' +
        'Any folder of any static server works (a USB stick copied to a laptop, a workshop server).</p>',
    );
    return;
  }
  setTimeout(function () {
    say(
      '<p>postfix-sim has not started. Reload the page; if it stays like this, your browser may be too old (it needs ES2022 and module scripts), ' +
        'or, in a sandboxed frame, the server must send <code>Access-Control-Allow-Origin: *</code> (see the README, “Embedding”).</p>',
    );
  }, 15000);
})();
