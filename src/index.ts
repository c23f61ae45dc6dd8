/**
 * sentivec's public API: everything a library user imports, and nothing else.
 * Internals (readers, tree builders, CLI plumbing) stay private so they can change freely.
 */
export { VERSION } from "./version.js";
export {
  SentivecError, DataError, OptionsError, EmbeddingError, ModelError, BundleError, FileSystemError, type ErrorWhere,
} from "./errors.js";
export { type Matrix, toMatrix } from "./util/matrix.js";

// data
export type { LabeledText, Dataset, LoadStats } from "./data/labeled-text.js";
export { loadDataset, type LoadDatasetOptions, type DatasetFormat } from "./data/load-dataset.js";
export { TEXT_ENCODINGS, type TextEncoding } from "./data/decode-text.js";
export {
  parseLabel, parseLabelMap, describeLabelScheme, type LabelScheme, type LabelMap, type LabelWording, LIBRARY_LABEL_WORDING, NEGATIVE, NEUTRAL, POSITIVE,
} from "./data/parse-label.js";
export { stratifiedSplit, type SplitOptions, type SplitIndices } from "./data/stratified-split.js";
export { stratifiedKFold, type KFoldOptions } from "./data/stratified-k-fold.js";

// embed
export type { Embedder, EmbedderLimits, EmbedOptions } from "./embed/embedder.js";
export { DEFAULT_GLOVE_LEX_VERSION, GLOVE_LEX_DIMENSIONS, GLOVE_LEX_EMBEDDER_VERSIONS, GLOVE_LEX_VERSION_DIMENSIONS, GloveLexEmbedder, type GloveLexEmbedderOptions, type GloveLexEmbedderVersion } from "./embed/glove-lex-embedder.js";
export { GLOVE_LEX_TABLE_SHA256 } from "./embed/glove-table.js";
export { GLOVE_LEXICON_SHA256 } from "./embed/glove-lexicon.js";
export { HASH_EMBEDDER_VERSIONS, HashEmbedder, type HashEmbedderOptions, type HashEmbedderVersion } from "./embed/hash-embedder.js";
export {
  EmbeddingFetcher, type EmbeddingFetcherOptions, type FetchResult, type FetchUsage, type FetchProgress, type FetchPlan, type RetryEvent,
} from "./embed/embedding-fetcher.js";
export { OpenAIEmbedder, type OpenAIEmbedderOptions, OPENAI_EMBEDDING_LIMITS, OPENAI_EMBEDDING_MODELS } from "./embed/openai-embedder.js";
export { DEFAULT_EMBEDDER_SPEC, createEmbedder, type CreateEmbedderOptions } from "./embed/create-embedder.js";
export { serverFingerprint, normalizeBaseUrl, parseEmbedderId, embedderSpaceId, checkEmbedderMatches, type RecordedEmbedder } from "./embed/embedder-identity.js";
export { narrowLimits, type LimitOverrides } from "./embed/narrow-limits.js";
export { EmbeddingCache, type EmbeddingCacheOptions, type CacheStats } from "./embed/embedding-cache.js";
export { RetryPolicy, type RetryPolicyOptions } from "./embed/retry-policy.js";
export { planRequests, GreedyRequestPacker, type RequestPlan } from "./embed/request-planner.js";
export { EMBEDDING_PRICES_PER_MILLION, estimateCost } from "./embed/embedding-prices.js";
export { EmbeddingRequestError } from "./embed/embedding-request-error.js";
export { EmbeddingFetchError } from "./embed/embedding-fetch-error.js";
export {
  BatchEmbeddingJob,
  type BatchJobOptions,
  type BatchJobStatus,
  type BatchPartStatus,
  type BatchPlanSummary,
  type BatchCollectOptions,
  type BatchCollectResult,
} from "./embed/batch/batch-embedding-job.js";
export { OPENAI_BATCH_LIMITS, BATCH_PRICE_FACTOR, type BatchLimits } from "./embed/batch/batch-limits.js";

// store
export { VectorStore } from "./store/vector-store.js";
export type {
  VectorStoreOptions, VectorRecord, TextRecord, StoredRecord, SearchHit, SearchOptions, TrainingSet, TrainingSetOptions, LoadOptions, StoreInfo,
} from "./store/vector-store.js";
export type { StoreFilter, FilterMatch, FilterScalar, Metadata, JsonValue } from "./store/store-filter.js";
export type { SaveResult } from "./store/store-files.js";
export { StoreError } from "./store/store-error.js";
export type { VectorSearchOptions } from "./store/vector-store.js";
export { AUTO_APPROX_MIN_ROWS, type BuildIndexOptions, type IndexInfo, type IndexLoadResult } from "./store/ann/store-index.js";
export { DEFAULT_HNSW_PARAMS, type HnswParams, type IndexQuantization } from "./store/ann/hnsw-index.js";
export type { IndexMeta } from "./store/ann/index-files.js";
export { openCollection, peekCollectionSpace, type OpenCollectionOptions } from "./store/collection/open-collection.js";
export { parseCollectionLocation, LANCE_PREFIX, type CollectionLocation } from "./store/collection/collection-location.js";
export { MemoryCollection } from "./store/collection/memory-collection.js";
export { isVectorCollection } from "./store/collection/vector-collection.js";
export type { VectorCollection, CollectionBackend, CollectionInfo, CollectionSpace, ScanOptions, MetadataUpdate } from "./store/collection/vector-collection.js";
export { KnnClassifier, type KnnOptions } from "./classify/knn-classifier.js";

// forest
export type { Classifier, FitOptions } from "./classify/classifier.js";
export type { ForestOptions } from "./classify/forest/forest-options.js";
export { createClassifier, deserializeClassifier } from "./classify/forest/create-classifier.js";
export { RandomForestClassifier } from "./classify/forest/random-forest-classifier.js";
export { MlRandomForestClassifier } from "./classify/forest/ml-random-forest-classifier.js";
export { LogisticRegression, type LogisticRegressionOptions } from "./classify/linear/logistic-regression.js";
export { CLASSIFIER_KINDS, type ClassifierKind, type ClassifierSpec } from "./classify/classifier-spec.js";
export { buildClassifier } from "./classify/build-classifier.js";
export { readClassifier } from "./classify/read-classifier.js";

// evaluate
export { accuracy, confusionMatrix, perClassScores, averageScores, type ClassScores } from "./evaluate/classification-metrics.js";
export { rocAuc, rocAucOvr, rocCurve } from "./evaluate/roc-auc.js";
export { brierScore, logLoss } from "./evaluate/probability-scores.js";
export {
  evaluatePredictions, majorityBaseline, majorityShortfall, type EvaluationReport, type EvaluateInput, type BaselineScore,
} from "./evaluate/evaluation-report.js";
export { formatReport } from "./evaluate/format-report.js";
export { reliabilityCurve, type ReliabilityCurve, type ReliabilityBin } from "./evaluate/reliability-curve.js";
export type { ScoredRows } from "./evaluate/scored-rows.js";

// report: SVG charts and the self-contained HTML report (what `--report` writes; notebooks show the same charts)
export { renderHtmlReport, type HtmlReportInput } from "./report/html-report.js";
export { confusionHeatmap } from "./report/confusion-heatmap.js";
export { rocChart } from "./report/roc-chart.js";
export { reliabilityChart } from "./report/reliability-chart.js";
export { probabilityHistogram } from "./report/probability-histogram.js";

// model
export {
  SentimentModel, type TrainOptions, type TrainResult, type Prediction, type LoadModelOptions, type TrainProgress,
} from "./model/sentiment-model.js";
export { crossValidate, type CrossValidateOptions, type CrossValidationResult, type CrossValidateProgress } from "./model/cross-validate.js";
export type { BundleManifest, WriteBundleOptions } from "./model/model-bundle.js";
export { labelStore, labelCollection, type LabelStoreOptions, type LabelStoreResult } from "./model/label-store.js";
export { checkModelFitsStore } from "./model/store-dataset.js";
