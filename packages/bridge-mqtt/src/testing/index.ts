// `@fieldbridge/bridge-mqtt/testing`: a real broker for tests and demos (Debian's mosquitto on a
// free loopback port). Not part of the bridge: nothing in src/ outside this folder imports it.
export { startMosquitto, probeFreePort, type Mosquitto, type MosquittoOptions } from './mosquitto.js';
