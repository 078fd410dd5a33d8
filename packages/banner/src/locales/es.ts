import type { Catalog } from '../messages.js';

/** Spanish. */
export const es: Catalog = {
  messages: {
    title: 'Cookies y seguimiento',
    notice:
      'Nosotros y los proveedores de cursos (Miembros) cuyos cursos visitas usamos cookies y tecnologías similares para analítica, rendimiento, funcionalidad y marketing. Las necesarias están siempre activas. Puedes cambiar tu elección cuando quieras en Configuración de cookies.',
    policy: 'Política de cookies',
    acceptAll: 'Aceptar todo',
    rejectAll: 'Rechazar todo',
    preferences: 'Preferencias',
    signal:
      'Tu navegador envía una señal de privacidad: aunque aceptes todo, estos siguen desactivados salvo que los actives: {purposes}.',
    prefsTitle: 'Preferencias de cookies',
    prefsIntro:
      'Elige qué se puede usar. Desactivar una finalidad la detiene en todas partes; una elección para un Miembro solo se aplica a ese Miembro.',
    browser: 'También puedes controlar las cookies en la configuración de privacidad de tu navegador.',
    alwaysOn: 'Siempre activas',
    gpc: 'Tu navegador envía Global Privacy Control: esto sigue desactivado salvo que lo actives aquí.',
    dnt: 'Tu navegador envía la señal Do Not Track (no rastrear): esto sigue desactivado salvo que lo actives aquí.',
    save: 'Guardar elección',
    close: 'Cerrar',
    settings: 'Configuración de cookies',
    member: 'En los cursos de {name}',
    memberIntro: '{name} las usa en sus cursos. Desactivar una la detiene solo para {name}.',
    thirdParties: 'Terceros',
    optOuts:
      'Usa sus opciones de baja para detener su seguimiento: ni nosotros ni ningún Miembro somos responsables de su eficacia.',
    email: 'Aperturas y clics en los correos electrónicos',
    privacy: 'Política de privacidad',
    optOut: 'Darse de baja',
    vendorLink: '{link}: {name} (se abre en una pestaña nueva)',
  },
  // Each: [label, description, purposeFingerprint() of the edxPolicy text translated]. When the
  // policy's text changes, the fingerprint no longer fits and its own text is shown until translated again.
  purposes: {
    edx: {
      necessary: [
        'Estrictamente necesarias',
        'Administración del sistema, seguridad e integridad, para que el Sitio de edX funcione correctamente. Siempre activas.',
        '1v7bq4a',
      ],
      analytics: [
        'Analítica',
        'Cómo encuentran y usan los visitantes el Sitio de edX: qué páginas, en qué orden y cuándo, qué enlaces y controles se usan, y si se abren los correos de edX y de los Miembros y se hace clic en sus enlaces.',
        '1e76fnp',
      ],
      performance: ['Rendimiento', 'Supervisión de la rapidez y fiabilidad del Sitio de edX.', '1w1l05v'],
      functionality: [
        'Funcionalidad',
        'Reconocer si ya has visitado el Sitio de edX y recordar tus preferencias.',
        '187dawa',
      ],
      marketing: [
        'Marketing',
        'Contenido relevante para tus intereses en el Sitio de edX y en sitios de terceros, según cómo interactúas con los anuncios y contenidos de edX o de los Miembros.',
        'tr6v8a',
      ],
    },
  },
};
