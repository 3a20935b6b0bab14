/** Why a feed's link is not good, from the relay's or the box's SRT statistics (src/protocol/link-why.ts). */
export const linkWhy = {
  'no-packets': 'aucun paquet dans le dernier intervalle',
  silent: 'aucun paquet depuis {{seconds}} s',
  'too-late-share': '{{percent}} % des paquets sont arrivés trop tard pour être affichés',
  loss: '{{percent}} % de perte',
  'one-way': 'environ {{ms}} ms dans un sens',
  'short-buffer': 'le tampon de {{latency}} ms est court pour un RTT de {{rtt}} ms',
  'too-late': '{{packets}} paquets sont arrivés trop tard pour être affichés',
};
