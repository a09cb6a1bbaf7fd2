import { describeBrokerContract } from './broker-suite.js';
import { aedesBroker } from '../../../support/brokers/external-broker.js';

// aedes run on its own with the embedded broker's users and ACL, the gateway reaching it by URL, so it can be restarted.
describeBrokerContract({ name: 'aedes', broker: aedesBroker, protocolVersion: 4, storesRetainedCommands: false });
