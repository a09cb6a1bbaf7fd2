import modbusSerial from 'modbus-serial';

/**
 * modbus-serial is CommonJS and sets `module.exports.default = module.exports`;
 * under NodeNext its types see the default import as the whole module, so the
 * client class is reached through `.default`, which exists at run time too.
 */
export const ModbusClient = modbusSerial.default;
export type ModbusClient = InstanceType<typeof modbusSerial.default>;
