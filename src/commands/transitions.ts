// Kept here for the commands; the rule itself lives with the request lifecycle.
export { closedReason } from '../requests/transitions';
