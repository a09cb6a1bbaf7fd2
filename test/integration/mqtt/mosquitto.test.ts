import { describeWithTools } from '../../helpers/system-tools.js';
import { MOSQUITTO_TOOLS } from '../../helpers/mosquitto.js';
import { describeBrokerContract } from './broker-suite.js';
import { mosquittoBroker } from './external-broker.js';

describeWithTools(MOSQUITTO_TOOLS, 'Mosquitto interop', () => {
  describeBrokerContract({ name: 'Mosquitto', broker: mosquittoBroker, protocolVersion: 5, storesRetainedCommands: true });
  describeBrokerContract({ name: 'Mosquitto', broker: mosquittoBroker, protocolVersion: 4, storesRetainedCommands: true });
});
