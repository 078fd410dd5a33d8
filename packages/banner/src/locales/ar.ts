import type { Catalog } from '../messages.js';

/** Arabic (right to left). */
export const ar: Catalog = {
  dir: 'rtl',
  messages: {
    title: 'ملفات تعريف الارتباط والتتبع',
    notice:
      'نستخدم نحن ومزوّدو الدورات (الأعضاء) الذين تزور دوراتهم ملفات تعريف الارتباط وتقنيات مماثلة للتحليلات والأداء والوظائف والتسويق. الملفات الضرورية مفعّلة دائمًا. يمكنك تغيير اختيارك في أي وقت من إعدادات ملفات تعريف الارتباط.',
    policy: 'سياسة ملفات تعريف الارتباط',
    acceptAll: 'قبول الكل',
    rejectAll: 'رفض الكل',
    preferences: 'التفضيلات',
    prefsTitle: 'تفضيلات ملفات تعريف الارتباط',
    prefsIntro:
      'اختر ما يمكن استخدامه. إيقاف غرض ما يوقفه في كل مكان؛ أما الاختيار الخاص بعضو فينطبق على ذلك العضو فقط.',
    alwaysOn: 'مفعّلة دائمًا',
    gpc: 'يرسل متصفحك إشارة التحكم العالمي في الخصوصية (GPC): يبقى هذا متوقفًا ما لم تفعّله هنا.',
    save: 'حفظ الاختيارات',
    close: 'إغلاق',
    settings: 'إعدادات ملفات تعريف الارتباط',
    member: 'في دورات {name}',
    memberIntro: 'يستخدم {name} هذه في دوراته. إيقاف أي منها يوقفه لدى {name} فقط.',
    thirdParties: 'الأطراف الثالثة',
    privacy: 'سياسة الخصوصية',
    optOut: 'إلغاء الاشتراك',
    vendorLink: '{link}: {name} (يُفتح في علامة تبويب جديدة)',
  },
  // Each: [label, description, purposeFingerprint() of the edxPolicy text translated]. When the
  // policy's text changes, the fingerprint no longer fits and its own text is shown until translated again.
  purposes: {
    edx: {
      necessary: [
        'ضرورية للغاية',
        'إدارة النظام والأمان والسلامة، كي يعمل موقع edX بشكل صحيح. مفعّلة دائمًا.',
        '1v7bq4a',
      ],
      analytics: [
        'التحليلات',
        'كيف يستخدم الزوار موقع edX: أي الصفحات، وبأي ترتيب ومتى، وأي الروابط وعناصر التحكم تُستخدم.',
        '148zul8',
      ],
      performance: ['الأداء', 'مراقبة سرعة موقع edX وموثوقيته.', '1w1l05v'],
      functionality: ['الوظائف', 'معرفة ما إذا كنت قد زرت موقع edX من قبل وتذكّر تفضيلاتك.', '187dawa'],
      marketing: [
        'التسويق',
        'محتوى يناسب اهتماماتك على موقع edX ومواقع الأطراف الثالثة، بناءً على تفاعلك مع إعلانات ومحتوى edX أو الأعضاء.',
        'tr6v8a',
      ],
    },
  },
};
