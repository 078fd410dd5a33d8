import type { Catalog } from '../messages.js';

/** Chinese (Simplified). */
export const zh: Catalog = {
  messages: {
    title: 'Cookie 与跟踪',
    notice:
      '我们以及您访问其课程的课程提供方（成员）使用 Cookie 及类似技术进行分析、性能监测、功能支持和营销。必要的 Cookie 始终启用。您可以随时在“Cookie 设置”中更改您的选择。',
    policy: 'Cookie 政策',
    acceptAll: '全部接受',
    rejectAll: '全部拒绝',
    preferences: '偏好设置',
    signal: '您的浏览器发送了隐私信号：即使您接受所有内容，除非您开启，否则以下各项保持关闭：{purposes}。',
    prefsTitle: 'Cookie 偏好设置',
    prefsIntro: '选择允许使用的内容。关闭某一用途会在所有地方停止它；针对某个成员的选择仅适用于该成员。',
    browser: '您还可以在浏览器的隐私设置中控制 Cookie。',
    alwaysOn: '始终启用',
    gpc: '您的浏览器发送了全球隐私控制（GPC）信号：除非您在此处开启，否则此项保持关闭。',
    dnt: '您的浏览器发送了“请勿跟踪”（Do Not Track）信号：除非您在此处开启，否则此项保持关闭。',
    save: '保存选择',
    close: '关闭',
    settings: 'Cookie 设置',
    member: '在 {name} 的课程中',
    memberIntro: '{name} 在其课程中使用这些技术。关闭其中一项只会对 {name} 停止。',
    thirdParties: '第三方',
    optOuts: '请使用其选择退出功能停止其跟踪：我们和任何成员均不对其有效性负责。',
    email: '电子邮件的打开和点击',
    privacy: '隐私政策',
    optOut: '选择退出',
    vendorLink: '{link}：{name}（在新标签页中打开）',
  },
  // Each: [label, description, purposeFingerprint() of the edxPolicy text translated]. When the
  // policy's text changes, the fingerprint no longer fits and its own text is shown until translated again.
  purposes: {
    edx: {
      necessary: ['严格必要', '系统管理、安全与完整性，确保 edX 网站正常运行。始终启用。', '1v7bq4a'],
      analytics: ['分析', '访问者如何找到并使用 edX 网站：访问了哪些页面、顺序和时间，使用了哪些链接和控件，以及是否打开了 edX 和成员发送的电子邮件并点击了其中的链接。', '1e76fnp'],
      performance: ['性能', '监测 edX 网站的速度和可靠性。', '1w1l05v'],
      functionality: ['功能', '识别您是否访问过 edX 网站并记住您的偏好。', '187dawa'],
      marketing: [
        '营销',
        '根据您与 edX 或成员的广告和内容的互动，在 edX 网站和第三方网站上展示与您兴趣相关的内容。',
        'tr6v8a',
      ],
    },
  },
};
