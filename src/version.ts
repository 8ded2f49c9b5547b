// The single source of the version we report (`patroni --version`, REST `patroni.version`,
// member key `version`): the Patroni release whose behaviour we reproduce.
export const PATRONI_VERSION = '4.1.4';
