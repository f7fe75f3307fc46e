// The Mini App's sign-in: post the init data Telegram gave this page.
// telegram-web-app.js, when a page loads it, puts it in
// Telegram.WebApp.initData; Telegram's clients also pass it in the launch
// URL's fragment as tgWebAppData, which is read here without loading any
// script from outside.
(function () {
  var tg = window.Telegram && window.Telegram.WebApp;
  var data = (tg && tg.initData) || new URLSearchParams(location.hash.slice(1)).get("tgWebAppData") || "";
  var form = document.getElementById("miniapp");
  if (!data) {
    document.getElementById("miniapp-wait").hidden = true;
    document.getElementById("miniapp-none").hidden = false;
    return;
  }
  form.elements.init_data.value = data;
  form.submit();
})();
