/**
 * Model builders and custom layers for every lesson. Importing this module registers the custom layer classes
 * with TF.js serialisation, so saved models that use them load with `tf.loadLayersModel`.
 */
export * from './initializer-seeds';
export * from './classifier-output';
export * from './mlp';
export * from './mnist-cnn';
export * from './cifar-cnn';
export * from './sequence-mask';
export * from './attention-pooling';
export * from './masked-pooling';
export * from './pair-features';
export * from './rnn-encoder';
export * from './siamese';
export * from './positional-encoding';
export * from './multi-head-attention';
export * from './transformer';
export * from './file-system-handler';
export * from './transfer';
