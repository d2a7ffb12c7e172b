export { WecomSimulator, CONTROL_PREFIX, type SimulatorOptions } from './wecom-simulator';
export { RESPONSE_URL_REFUSED } from './simulated-wecom';
export type {
  FaultMode,
  FaultOptions,
  SimulatedApp,
  SimulatedCall,
  SimulatedDestination,
  SimulatedEndpoint,
  SimulatedMessage,
} from './simulator-types';
