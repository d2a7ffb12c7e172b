export { Intake, ignoreInbound, isConnectionLoss, type InboundHandler, type AcceptOutcome } from './intake';
