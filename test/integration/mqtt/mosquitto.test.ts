import { describeWithTools } from '../../../support/tools/system-tools.js';
import { MOSQUITTO_TOOLS } from '../../../support/brokers/mosquitto.js';
import { describeBrokerContract } from './broker-suite.js';
import { mosquittoBroker } from '../../../support/brokers/external-broker.js';

describeWithTools(MOSQUITTO_TOOLS, 'Mosquitto interop', () => {
  describeBrokerContract({ name: 'Mosquitto', broker: mosquittoBroker, protocolVersion: 5, storesRetainedCommands: true });
  describeBrokerContract({ name: 'Mosquitto', broker: mosquittoBroker, protocolVersion: 4, storesRetainedCommands: true });
});
