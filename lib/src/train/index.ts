/** Training helpers: compile, fit with history and early stopping, learning-rate schedules, hand-written loops, evaluation. */
export { type EpochRecord, type TrainingHistory, historyRows, historySeries } from './training-history';
export {
  type LearningRateSchedule,
  LearningRateScheduler,
  constantLearningRate,
  cosineDecaySchedule,
  exponentialDecaySchedule,
  getOptimizerLearningRate,
  learningRateScheduler,
  setOptimizerLearningRate,
  stepDecaySchedule,
  transformerSchedule,
} from './learning-rate';
export { CourseAdamOptimizer, adam } from './adam';
export { categoricalCrossentropy, sparseCategoricalCrossentropy } from './losses';
export { type EarlyStoppingOptions, EarlyStoppingWithRestore } from './early-stopping';
export { type FeatureTensors, shuffledBatches } from './shuffled-batches';
export {
  type CompileClassifierOptions,
  DEFAULT_LEARNING_RATES,
  type OptimizerName,
  checkLabelFormat,
  compileClassifier,
  labelsForModel,
  makeOptimizer,
} from './compile-classifier';
export { type BatchDataset, type FitCallback, type FitOptions, type TrainingTensors, fitModel, formatEpochRecord } from './fit-model';
export { type ClassScores, type ClassificationReport, classificationReport } from './classification-metrics';
export { type ClassifierEvaluation, type EvaluateOptions, evaluateClassifier, scoreClassifierOutput } from './evaluate-classifier';
export { type TaggerEvaluation, evaluateTagger } from './evaluate-tagger';
export { type PairedComparison, comparePaired } from './paired-comparison';
export { sgdStep, trainStep } from './custom-loop';
export { type BatchEvaluation, type LabelledBatch, evaluateClassifierOnBatches } from './evaluate-batches';
export {
  type LabelledSentencePair,
  type LexicalOption,
  type Across,
  type LexicalScaling,
  type PairEpochRecord,
  type PairFeatureSet,
  type PairFineTuningOptions,
  type PairFineTuningResult,
  type PieceEncoder,
  LowerStateCache,
  fineTuneSentencePairs,
  lengthBucketedBatches,
  lexicalFeatureTensor,
  lexicalScaling,
  lowerStatesCacheable,
  pairHeadInputSize,
  predictPairs,
  scorePairProbabilities,
  sentencePairFeatures,
} from './sentence-pair-fine-tuning';
