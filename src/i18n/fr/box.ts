/** What a box says about itself: two boxes on one site id, an encoder that falls back. */
export const box = {
  doctorTakenOver: 'deux boîtiers utilisent le site « {{site}} » : l’état retenu du site dit que le courtier a donné sa session à un autre boîtier {{count}} fois depuis {{since}}',
  doctorTakenOverFix: 'trouvez l’autre boîtier configuré avec site: {{site}} (même fichier copié?) et donnez-lui son propre site, ou éteignez-le',
  siteTakenOver: 'deux boîtiers utilisent le site « {{site}} » : le courtier a donné l’identifiant client {{clientId}} à l’autre {{count}} fois; donnez à chaque boîtier son propre site (site: dans sa configuration) ou éteignez le doublon',
  siteTakenOverYield: 'deux boîtiers utilisent le site « {{site}} » : le courtier a donné l’identifiant client {{clientId}} à l’autre {{count}} fois; ce boîtier cède et ne se reconnecte plus qu’aux {{backoff}} s; donnez à chaque boîtier son propre site (site: dans sa configuration) ou éteignez le doublon',
  siteTakenOverEnded: 'le site « {{site}} » n’est plus utilisé par un autre boîtier : reconnexion normale',
  encoderFallback: 'l’encodeur {{from}} échoue au démarrage ({{reason}}) : le flux de la salle passe à {{to}}; le choix mis en cache est oublié, le prochain démarrage essaie de nouveau le matériel',
  encoderNoFallback: 'l’encodeur {{from}} échoue au démarrage ({{reason}}) et aucun autre encodeur ne fonctionne : {{why}}',
  encoderStillEncodes: 'l’encodeur {{encoder}} encode encore à l’essai : les échecs viennent d’ailleurs (relais, réseau), on garde {{encoder}}',
};
