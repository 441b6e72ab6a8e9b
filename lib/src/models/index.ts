/**
 * Model builders and custom layers for every lesson. Importing this module registers the custom layer classes
 * with TF.js serialisation, so saved models that use them load with `tf.loadLayersModel`.
 */
export { InitializerSeeds, type WeightInitializer } from './initializer-seeds';
export { type DropoutFunction, DropoutSeeds, SeededDropout, type SeededDropoutArgs } from './seeded-dropout';
export { type HiddenActivation, type OutputActivation, classifierOutputLayer, resolveOutputActivation } from './classifier-output';
export { type MlpOptions, buildMlp } from './mlp';
export { type MnistCnnOptions, buildMnistCnn } from './mnist-cnn';
export { type CifarCnnOptions, buildCifarCnn } from './cifar-cnn';
export { type ResidualCnnOptions, buildResidualCnn, residualBlock } from './residual-cnn';
export { type ConvPadding, type WindowOptions, conv2dParameterCount, denseParameterCount, slidingWindowOutputSize } from './conv-arithmetic';
export { MASKED_SCORE, PaddingMask, maskedSoftmax } from './sequence-mask';
export { AttentionPooling, type AttentionPoolingArgs, type AttentionScore } from './attention-pooling';
export { MaskedSequencePooling, type MaskedSequencePoolingArgs, type SequencePoolingMode } from './masked-pooling';
export { MinimumLength, type MinimumLengthArgs } from './minimum-length';
export { PairFeatures, pairFeatureTensor, pairFeatures } from './pair-features';
export {
  ENCODER_ATTENTION_LAYER,
  type RecurrentKind,
  type RnnEncoderOptions,
  type SequencePooling,
  buildAttentionWeightsModel,
  buildRnnEncoder,
} from './rnn-encoder';
export { type SiamesePairOptions, buildSiamesePairClassifier } from './siamese';
export {
  CROSS_ATTENTION_LAYER,
  CrossAttention,
  type CrossAttentionArgs,
  type CrossAttentionPairOptions,
  buildCrossAttentionPairClassifier,
  buildCrossAttentionWeightsModel,
} from './cross-attention';
export { type TextClassifierOptions, buildTextClassifier } from './text-classifier';
export { SinusoidalPositionalEncoding, type SinusoidalPositionalEncodingArgs, sinusoidalPositionTable } from './positional-encoding';
export { MultiHeadSelfAttention, type MultiHeadSelfAttentionArgs } from './multi-head-attention';
export { FusedLstm, type FusedLstmArgs, fusedLstm } from './fused-lstm';
export { FusedGru, type FusedGruArgs, fusedGru } from './fused-gru';
export { type BatchNormalizationArgs, CourseBatchNormalization, batchNormalization } from './batch-normalization';
export { CourseLayerNormalization, type LayerNormalizationArgs, layerNormalization } from './layer-normalization';
export { ReverseRealSteps } from './fused-bidirectional';
export {
  type CharLanguageModelOptions,
  type SampleOptions,
  bitsPerCharacter,
  buildCharLanguageModel,
  drawWithTemperature,
  sampleCharacters,
} from './char-language-model';
export {
  type TransformerBlockOptions,
  type TransformerClassifierOptions,
  type TransformerEncoderGraph,
  type TransformerEncoderOptions,
  buildTransformerAttentionModel,
  buildTransformerClassifier,
  transformerEncoder,
  transformerEncoderBlock,
} from './transformer';
export { type TransformerTaggerOptions, buildTransformerTagger } from './transformer-tagger';
export { fileSystemHandler } from './file-system-handler';
export {
  MOBILENET_CUT_LAYER,
  MOBILENET_LAST_BLOCK_INPUT,
  type MobileNetExtractorOptions,
  type MobileNetSplit,
  type TransferHeadOptions,
  buildTransferHead,
  buildTransferModel,
  loadMobileNetFeatureExtractor,
  loadMobileNetSplit,
  setTrainableFrom,
} from './transfer';
export { type PieceVocabulary, SentencePieceTokenizer } from './sentencepiece-tokenizer';
export {
  SENTENCE_EMBEDDING_DIM,
  SentenceEncoder,
  loadSentenceEncoder,
  sentenceEncoderPackageDir,
} from './sentence-encoder';
export {
  SENTENCE_ENCODER_MAX_TOKENS,
  SENTENCE_ENCODER_PARTS,
  type SentenceEncoderPart,
  type TokenBatch,
  TrainableSentenceEncoder,
} from './trainable-sentence-encoder';
export { LEXICAL_PAIR_FEATURE_NAMES, lexicalPairFeatures, lexicalTokens } from './lexical-pair-features';
export { FoldedInference } from './folded-inference';
export { type ImageFeatureOptions, imageFeatures, resizedImageBatch } from './image-features';
