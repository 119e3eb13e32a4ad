// The example vehicle's DBC, the same text as packages/bridge-can/dbc/vehicle.dbc (a test fails when the
// two differ), built in so that the simulator works wherever the package is installed.

/** The DBC of the example vehicle the simulator drives. */
export const VEHICLE_DBC = `VERSION "fieldbridge example vehicle 1.0"


NS_ :
	NS_DESC_
	CM_
	BA_DEF_
	BA_
	VAL_
	BA_DEF_DEF_
	SIG_VALTYPE_
	BO_TX_BU_

BS_:

BU_: ECM ABS EPS TCU BMS IC IMU GW


BO_ 200 EngineData: 8 ECM
 SG_ EngineSpeed : 0|16@1+ (0.25,0) [0|16383.75] "rpm" GW,TCU
 SG_ ThrottlePosition : 16|8@1+ (0.4,0) [0|100] "%" GW,TCU
 SG_ CoolantTemp : 24|8@1+ (1,-40) [-40|215] "degC" GW,IC
 SG_ EngineTorque : 32|12@1- (0.5,0) [-1024|1023.5] "Nm" GW,TCU
 SG_ EngineState : 44|2@1+ (1,0) [0|3] "" GW,IC
 SG_ OilPressure : 48|8@1+ (4,0) [0|1020] "kPa" GW,IC

BO_ 496 WheelSpeeds: 8 ABS
 SG_ WheelSpeedFL : 7|16@0+ (0.01,0) [0|655.35] "km/h" GW,EPS
 SG_ WheelSpeedFR : 23|16@0+ (0.01,0) [0|655.35] "km/h" GW,EPS
 SG_ WheelSpeedRL : 39|16@0+ (0.01,0) [0|655.35] "km/h" GW,EPS
 SG_ WheelSpeedRR : 55|16@0+ (0.01,0) [0|655.35] "km/h" GW,EPS

BO_ 37 SteeringAngle: 8 EPS
 SG_ SteeringAngle : 7|16@0- (0.1,0) [-780|780] "deg" GW,ABS
 SG_ SteeringRate : 23|12@0- (1,0) [-2048|2047] "deg/s" GW,ABS
 SG_ SteeringCounter : 27|4@0+ (1,0) [0|15] "" GW

BO_ 672 Transmission: 8 TCU
 SG_ GearSelected : 0|4@1+ (1,0) [0|15] "" GW,IC
 SG_ GearEngaged : 4|4@1- (1,0) [-1|7] "" GW,IC
 SG_ TransOilTemp : 8|8@1+ (1,-40) [-40|215] "degC" GW
 SG_ OutputShaftSpeed : 16|16@1+ (1,0) [0|10000] "rpm" GW

BO_ 1000 BatteryStatus: 8 BMS
 SG_ BatteryMux M : 0|8@1+ (1,0) [0|2] "" GW
 SG_ PackVoltage m0 : 8|16@1+ (0.01,0) [0|655.35] "V" GW,ECM
 SG_ PackCurrent m0 : 24|16@1- (0.05,0) [-1638.4|1638.35] "A" GW,ECM
 SG_ StateOfCharge m0 : 40|8@1+ (0.5,0) [0|100] "%" GW,IC
 SG_ CellVoltageMin m1 : 8|16@1+ (0.001,0) [0|65.535] "V" GW
 SG_ CellVoltageMax m1 : 24|16@1+ (0.001,0) [0|65.535] "V" GW
 SG_ CellTempMin m2 : 8|8@1+ (1,-40) [-40|215] "degC" GW
 SG_ CellTempMax m2 : 16|8@1+ (1,-40) [-40|215] "degC" GW
 SG_ BatteryState m2 : 24|3@1+ (1,0) [0|7] "" GW,IC

BO_ 1200 ImuData: 8 IMU
 SG_ YawRate : 0|32@1- (1,0) [-300|300] "deg/s" GW,EPS
 SG_ LateralAccel : 32|32@1- (1,0) [-50|50] "m/s2" GW,EPS

BO_ 2566832622 VehicleDistance: 8 IC
 SG_ TotalDistance : 0|32@1+ (0.005,0) [0|21474836.475] "km" GW
 SG_ TripDistance : 32|32@1+ (0.005,0) [0|21474836.475] "km" GW

BO_TX_BU_ 1000 : BMS,GW;


CM_ "An invented vehicle for the fieldbridge CAN example: engine, brakes, steering, gearbox, battery, IMU and odometer.";
CM_ BU_ GW "The gateway the bridge listens next to.";
CM_ BO_ 200 "Engine management, every 10 ms.";
CM_ SG_ 200 EngineTorque "Negative while the engine brakes.";
CM_ SG_ 37 SteeringCounter "Rolling counter, +1 per frame.";
CM_ BO_ 1000 "Battery management: one of three pages per frame, chosen by BatteryMux.";
CM_ SG_ 1200 YawRate "IEEE float, positive to the left.";
BA_DEF_ BO_ "GenMsgCycleTime" INT 0 10000;
BA_DEF_DEF_ "GenMsgCycleTime" 0;
BA_ "GenMsgCycleTime" BO_ 200 10;
BA_ "GenMsgCycleTime" BO_ 496 20;
BA_ "GenMsgCycleTime" BO_ 37 10;
BA_ "GenMsgCycleTime" BO_ 672 50;
BA_ "GenMsgCycleTime" BO_ 1000 100;
BA_ "GenMsgCycleTime" BO_ 1200 20;
BA_ "GenMsgCycleTime" BO_ 2566832622 1000;
VAL_ 200 EngineState 0 "Off" 1 "Cranking" 2 "Running" 3 "Fault" ;
VAL_ 672 GearSelected 0 "P" 1 "R" 2 "N" 3 "D" 15 "Invalid" ;
VAL_ 1000 BatteryMux 0 "Pack" 1 "Cells" 2 "Temperatures" ;
VAL_ 1000 BatteryState 0 "Idle" 1 "Charging" 2 "Discharging" 3 "Fault" ;
SIG_VALTYPE_ 1200 YawRate : 1;
SIG_VALTYPE_ 1200 LateralAccel : 1;
`;
