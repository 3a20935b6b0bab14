/**
 * Why a message on the broker is refused, as the logs, the dashboard and the
 * command line show it (src/protocol/schemas.ts, topics.ts). Field names and
 * actions stay verbatim.
 */
export const payload = {
  notZero: 'ne doit pas être 0',
  needs: '{{action}} demande {{what}}',
  needSite: 'un site',
  needQueue: 'une file',
  needMinutes: 'des minutes (de -{{max}} à {{max}}, pas 0)',
  needItem: 'un point (son index dans le programme)',
  needTo: 'une position (to)',
  belongs: '{{field}} va avec {{actions}}, pas avec {{action}}',
  tooBig: 'message de {{size}} octets, au-delà de la limite de {{limit}} octets',
  notJson: 'pas du JSON',
  invalid: 'message invalide',
};
