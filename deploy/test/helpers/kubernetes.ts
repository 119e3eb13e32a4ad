import { ConfigMap, PersistentVolumeClaim, Pod } from 'kubernetes-models/v1';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';

/** The parts of a Kubernetes object these tests read. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  restartPolicy?: string;
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: {
    runAsUser?: number;
    runAsGroup?: number;
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Volume {
  name: string;
  configMap?: { name: string };
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: { sizeLimit?: string };
  hostPath?: { path: string; type?: string };
}
export interface PodSpec {
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  nodeSelector?: Record<string, string>;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number; fsGroup?: number };
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
}

/** A Pod, or the Pod template of a Deployment or DaemonSet. */
export interface Workload {
  object: K8sObject;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  spec: PodSpec;
}

/** The workloads among `objects`, with their pod spec and the pod's metadata. */
export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects.flatMap((object): Workload[] => {
    if (object.kind === 'Pod') return [{ object, annotations: object.metadata.annotations ?? {}, labels: object.metadata.labels ?? {}, spec: object.spec as unknown as PodSpec }];
    const template = (object.spec as { template?: { metadata?: K8sObject['metadata']; spec: PodSpec } } | undefined)?.template;
    return template ? [{ object, annotations: template.metadata?.annotations ?? {}, labels: template.metadata?.labels ?? {}, spec: template.spec }] : [];
  });
}

/** The model class (kubernetes-models) and the type (kubernetes-types) of each kind used here. */
export const KINDS: Record<string, { model: new (data: never) => { validate(): void }; typeModule: string; typeName: string }> = {
  'v1/ConfigMap': { model: ConfigMap, typeModule: 'core/v1', typeName: 'ConfigMap' },
  'v1/Pod': { model: Pod, typeModule: 'core/v1', typeName: 'Pod' },
  'v1/PersistentVolumeClaim': { model: PersistentVolumeClaim, typeModule: 'core/v1', typeName: 'PersistentVolumeClaim' },
  'apps/v1/Deployment': { model: Deployment, typeModule: 'apps/v1', typeName: 'Deployment' },
  'apps/v1/DaemonSet': { model: DaemonSet, typeModule: 'apps/v1', typeName: 'DaemonSet' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, typeModule: 'policy/v1', typeName: 'PodDisruptionBudget' },
};
