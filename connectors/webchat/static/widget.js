/* The stock rasa-webchat widget, pointed at this server's web chat socket. It speaks the
   plain protocol (no numbered replay); the channel keeps its messages in that format. */
(function () {
  "use strict";
  var path = document.body.getAttribute("data-socket-path") || "/webhooks/webchat/socket.io";
  var zh = /^zh\b/i.test((navigator.languages && navigator.languages[0]) || navigator.language || "zh");
  window.WebChat.default({
    initPayload: "/greet",
    socketUrl: window.location.origin,
    socketPath: path.replace(/\/?$/, "/"),
    title: zh ? "12345 北京市民热线" : "Beijing 12345 Citizen Hotline",
    subtitle: zh ? "Beijing 12345 Citizen Hotline" : "12345 北京市民热线",
    inputTextFieldHint: zh ? "请输入您的问题" : "Type your message",
    embedded: true,
    showFullScreenButton: false,
    showMessageDate: true,
    params: { storage: "local" },
    // the widget's default simulated typing delay grows with each message's length; a hotline answers promptly
    customMessageDelay: function () { return 200; }
  }, document.getElementById("webchat"));
})();
