/**
 * Differentiable ops built on the course kernels (one kernel where the backend has it, TF.js's ops elsewhere):
 * a whole LSTM or GRU layer pass, classifier cross-entropy, one Adam step, batch normalisation in training, layer
 * normalisation.
 */
export { type LstmWeights, lstmSequence } from './lstm-sequence';
export { type GruWeights, gruSequence } from './gru-sequence';
export { classifierCrossEntropy } from './cross-entropy';
export { adamUpdate, adamUpdateAvailable } from './adam-update';
export { type BatchNormInTraining, batchNormInTraining } from './batch-norm-training';
export { layerNorm } from './layer-norm';
