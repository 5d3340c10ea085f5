/* Texts of the citizen page in Chinese and English. Plain strings only: they are always
   put into the page with textContent, never parsed as HTML. */
(function () {
  "use strict";
  var TEXTS = {
    zh: {
      htmlLang: "zh-CN",
      documentTitle: "12345 北京市民热线 · 在线服务",
      skip: "跳到输入框",
      title: "12345 北京市民热线",
      subtitle: "在线服务 · 反映问题 · 查询进度",
      switchLanguage: "EN",
      switchLanguageLabel: "Switch to English",
      switchLanguageLang: "en",
      restart: "新对话",
      voice: "语音",
      restartConfirm: "开始新对话？当前对话记录将从本设备上清除。",
      logLabel: "对话记录",
      repliesLabel: "快捷回复",
      attachmentsLabel: "将随下一条消息发送",
      typing: "12345 正在回复…",
      messageLabel: "输入您的问题",
      placeholder: "请输入您的问题",
      send: "发送",
      locate: "共享我的位置",
      photo: "上传照片",
      emergency: "紧急情况请直接拨打 110（警情）、119（火警）、120（急救）。",
      you: "您",
      bot: "12345",
      connecting: "正在连接…",
      connected: "已连接",
      reconnecting: "连接中断，正在重新连接…",
      empty: "请先输入内容再发送。",
      tooLong: "已输入 {count} 字，超过 {limit} 字的部分不会被收到。",
      locating: "正在获取您的位置…",
      located: "我的位置（随下一条消息发送）",
      locationDenied: "无法获取位置：请在浏览器中允许位置权限，或直接输入地址。",
      locationUnsupported: "此浏览器不支持位置共享，请直接输入地址。",
      uploading: "正在上传照片…",
      uploaded: "照片（随下一条消息发送）",
      photoAlt: "您上传的照片",
      photoAttached: "（已附照片）",
      remove: "移除",
      removeLocation: "移除位置",
      removePhoto: "移除照片",
      tooLarge: "照片太大了，请上传不超过 {limit} MB 的照片。",
      notAnImage: "只能上传 JPEG、PNG 或 WebP 格式的照片。",
      uploadFailed: "照片上传失败，请稍后再试。",
      image: "图片",
      welcome: "您好，这里是 12345 北京市民热线在线服务。请直接描述您要反映的问题或咨询的事项。"
    },
    en: {
      htmlLang: "en",
      documentTitle: "Beijing 12345 Citizen Hotline · Online service",
      skip: "Skip to the message box",
      title: "Beijing 12345 Citizen Hotline",
      subtitle: "Report a problem · Ask a question · Check a case",
      switchLanguage: "中文",
      switchLanguageLabel: "切换到中文",
      switchLanguageLang: "zh-CN",
      restart: "New chat",
      voice: "Voice",
      restartConfirm: "Start a new conversation? This conversation will be cleared from this device.",
      logLabel: "Conversation",
      repliesLabel: "Quick replies",
      attachmentsLabel: "Sent with your next message",
      typing: "12345 is replying…",
      messageLabel: "Your message",
      placeholder: "Type your message",
      send: "Send",
      locate: "Share my location",
      photo: "Upload a photo",
      emergency: "In an emergency call 110 (police), 119 (fire) or 120 (ambulance).",
      you: "You",
      bot: "12345",
      connecting: "Connecting…",
      connected: "Connected",
      reconnecting: "Connection lost, reconnecting…",
      empty: "Please type a message first.",
      tooLong: "{count} characters: only the first {limit} will be received.",
      locating: "Finding your location…",
      located: "My location (sent with your next message)",
      locationDenied: "Your location is not available: allow location access in the browser, or type the address.",
      locationUnsupported: "This browser cannot share a location; please type the address.",
      uploading: "Uploading the photo…",
      uploaded: "Photo (sent with your next message)",
      photoAlt: "Your photo",
      photoAttached: "(photo attached)",
      remove: "Remove",
      removeLocation: "Remove location",
      removePhoto: "Remove photo",
      tooLarge: "This photo is too large. Please upload a photo of at most {limit} MB.",
      notAnImage: "Only photos in JPEG, PNG or WebP format can be uploaded.",
      uploadFailed: "The photo could not be uploaded. Please try again later.",
      image: "Image",
      welcome: "Hello, this is the Beijing 12345 Citizen Hotline online service. Please describe the problem you want to report or your question."
    }
  };

  function t(language, key, values) {
    var table = TEXTS[language] || TEXTS.zh;
    var text = table[key] !== undefined ? table[key] : TEXTS.zh[key];
    if (values) {
      Object.keys(values).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    }
    return text;
  }

  function browserLanguage() {
    var list = (navigator.languages && navigator.languages.length) ? navigator.languages : [navigator.language || "zh"];
    return /^zh\b/i.test(list[0] || "") ? "zh" : "en";
  }

  window.Hotline = window.Hotline || {};
  window.Hotline.i18n = { t: t, browserLanguage: browserLanguage, languages: Object.keys(TEXTS) };
})();
