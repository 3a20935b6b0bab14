/**
 * The box's log lines a technician acts on (warn and error), in Quebec
 * French. The fields after the message (`port=… error=…`) keep their English
 * names: they are ids for grep and the journal. Info and debug lines stay in
 * English (README, « Langues »).
 */
export const logs = {
  brokerError: 'erreur du courtier',
  brokerLinkDown: 'lien avec le courtier coupé; nouvel essai',
  brokerSlow: 'le courtier tarde à confirmer; on continue',
  featureFailed: 'la fonction {{feature}} n’a pas démarré; la boîte continue sans elle',
  badPayload: 'message invalide ignoré',
  pressNoAnswer: 'pas de réponse du chef d’orchestre à un appui',
  pressTooOld: 'appui fait pendant la coupure du lien abandonné (trop vieux)',
  encoderEnded: 'l’encodeur s’est arrêté',
  encoderStalled: 'l’encodeur est figé; redémarrage',
  feedNotStarted: 'flux de la salle non démarré',
  srtUplinkEnded: 'la liaison montante SRT s’est arrêtée',
  noFontPattern: 'aucune police pour le nom du site et l’horloge; la mire part sans texte (installez fonts-dejavu-core)',
  noFontSlate: 'aucune police pour le texte de l’écran d’attente; il reste d’une couleur unie (installez fonts-dejavu-core)',
  displayFailed: 'le lecteur de l’affichage n’a pas pu démarrer; vérifiez display.player / display.slate',
  displayEnded: 'le lecteur de l’affichage s’est arrêté; nouveau démarrage',
  firmataLost: 'carte Firmata sur {{port}} perdue; réouverture, les lampes seront remises et les entrées relues dès qu’elle répond',
  firmataStopped: 'reconnexion Firmata arrêtée',
  firmataPinMissing: 'broche Firmata absente sur la carte reconnectée',
  loginRefused: 'connexion refusée',
  publishRefused: 'publication refusée',
  subscribeRefused: 'abonnement refusé',
  socatMissing: 'impossible de lancer socat pour sd_notify; installez le paquet Debian « socat »',
  unhealthy: 'en mauvaise santé\u00a0: pas de signal au chien de garde, systemd va redémarrer le service',
  fenced: 'écarté\u00a0: un autre chef d’orchestre a un mandat plus récent; on se retire',
};
