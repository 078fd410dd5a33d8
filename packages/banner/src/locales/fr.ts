import type { Catalog } from '../messages.js';

/** French. */
export const fr: Catalog = {
  messages: {
    title: 'Cookies et traçage',
    notice:
      'Nous et les fournisseurs de cours (Membres) dont vous consultez les cours utilisons des cookies et des technologies similaires pour la mesure d’audience, la performance, les fonctionnalités et le marketing. Les cookies nécessaires sont toujours actifs. Vous pouvez modifier votre choix à tout moment dans Paramètres des cookies.',
    policy: 'Politique relative aux cookies',
    acceptAll: 'Tout accepter',
    rejectAll: 'Tout refuser',
    preferences: 'Préférences',
    signal:
      'Votre navigateur envoie un signal de confidentialité : même si vous acceptez tout, ceux-ci restent désactivés sauf si vous les activez : {purposes}.',
    prefsTitle: 'Préférences en matière de cookies',
    prefsIntro:
      'Choisissez ce qui peut être utilisé. Désactiver une finalité l’arrête partout ; un choix pour un Membre ne s’applique qu’à ce Membre.',
    browser: 'Vous pouvez aussi contrôler les cookies dans les paramètres de confidentialité de votre navigateur.',
    alwaysOn: 'Toujours actifs',
    gpc: 'Votre navigateur envoie le signal Global Privacy Control : ceci reste désactivé sauf si vous l’activez ici.',
    dnt: 'Votre navigateur envoie le signal Do Not Track (ne pas me pister) : ceci reste désactivé sauf si vous l’activez ici.',
    save: 'Enregistrer mes choix',
    close: 'Fermer',
    settings: 'Paramètres des cookies',
    member: 'Dans les cours de {name}',
    memberIntro: '{name} les utilise dans ses cours. En désactiver un l’arrête pour {name} seulement.',
    thirdParties: 'Tiers',
    optOuts:
      'Utilisez leurs options de refus (opt-out) pour arrêter leur traçage : ni nous ni aucun Membre ne sommes responsables de leur efficacité.',
    email: 'Ouvertures et clics des e-mails',
    privacy: 'Politique de confidentialité',
    optOut: 'Refuser (opt-out)',
    vendorLink: '{link} : {name} (s’ouvre dans un nouvel onglet)',
  },
  // Each: [label, description, purposeFingerprint() of the edxPolicy text translated]. When the
  // policy's text changes, the fingerprint no longer fits and its own text is shown until translated again.
  purposes: {
    edx: {
      necessary: [
        'Strictement nécessaires',
        'Administration du système, sécurité et intégrité, pour que le Site edX fonctionne correctement. Toujours actifs.',
        '1v7bq4a',
      ],
      analytics: [
        'Mesure d’audience',
        'Comment les visiteurs trouvent et utilisent le Site edX : quelles pages, dans quel ordre et quand, quels liens et contrôles sont utilisés, et si les e-mails d’edX et des Membres sont ouverts et leurs liens cliqués.',
        '1e76fnp',
      ],
      performance: ['Performance', 'Surveillance de la rapidité et de la fiabilité du Site edX.', '1w1l05v'],
      functionality: [
        'Fonctionnalités',
        'Savoir si vous avez déjà visité le Site edX et mémoriser vos préférences.',
        '187dawa',
      ],
      marketing: [
        'Marketing',
        'Des contenus adaptés à vos centres d’intérêt sur le Site edX et sur des sites tiers, selon vos interactions avec les publicités et contenus d’edX ou des Membres.',
        'tr6v8a',
      ],
    },
  },
};
