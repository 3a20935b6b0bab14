/**
 * The network tally sources (ATEM, OBS, vMix, TSL): why a switcher does not
 * answer, in the words a technician acts on. The raw code stays in brackets.
 * Shown by `relais tally watch`, `relais doctor` and the dashboard's site card.
 */
export const switcher = {
  atemRejected: 'l’ATEM {{host}}:{{port}} refuse la connexion\u00a0: tous ses clients sont pris (5 sur un ATEM Mini); fermez un ATEM Software Control, Companion ou un autre lecteur de tally',
  atemSilent: 'pas de réponse de l’ATEM {{host}}:{{port}}\u00a0: mauvaise adresse IP, ATEM éteint ou autre réseau (réglage réseau de l’ATEM Setup)',
  atemMute: 'l’ATEM {{host}}:{{port}} accepte la connexion mais n’envoie pas son état\u00a0: redémarrez l’ATEM',
  refused: 'connexion refusée par {{where}}\u00a0: le logiciel n’écoute pas sur ce port (réglage activé? bon port?) [ECONNREFUSED]',
  unreachable: '{{where}} injoignable\u00a0: mauvaise adresse IP ou autre réseau [{{code}}]',
  timedOut: '{{where}} ne répond pas\u00a0: mauvaise adresse IP, appareil éteint ou pare-feu [ETIMEDOUT]',
  unknownHost: 'nom d’hôte inconnu\u00a0: {{host}} [ENOTFOUND]',
  closed: '{{where}} a fermé la connexion',
  obsPassword: 'OBS {{where}} refuse le mot de passe\u00a0: vérifiez-le dans OBS, Outils > Paramètres du serveur WebSocket [4009]',
  obsVersion: 'OBS {{where}} ne parle pas la version 1 du protocole obs-websocket\u00a0: OBS 28 ou plus récent requis [4010]',
  obsSessionClosed: 'OBS {{where}} a fermé la session [4011]',
  obsNoAnswer: 'OBS {{where}} ne répond pas\u00a0: OBS lancé? serveur WebSocket activé (Outils > Paramètres du serveur WebSocket)? bon port? [{{code}}]',
  obsTimeout: 'OBS {{where}} ne répond pas à temps',
  tslListen: 'écoute TSL impossible : {{reason}}',
  tslNothing: 'aucun paquet TSL reçu',
  tslTcpClosed: 'l’émetteur TSL a fermé la connexion TCP',
  tslSilent: 'aucun paquet TSL depuis {{ms}} ms',
  vmixRefused: 'vMix refuse TALLY : {{reason}}',
  vmixSilent: 'vMix muet depuis {{ms}} ms : lien coupé, nouvel essai',
};
