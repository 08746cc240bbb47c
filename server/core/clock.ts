/** The current time. Services take a Clock so that tests can move time without sleeping. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
