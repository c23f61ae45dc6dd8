import type { Dataset, LabeledText } from "../data/labeled-text.js";
import { checkSeed, checkTestSize } from "../data/split-options.js";
import { stratifiedSplit } from "../data/stratified-split.js";
import type { Embedder } from "../embed/embedder.js";
import { EmbeddingFetcher, type FetchUsage } from "../embed/embedding-fetcher.js";
import { createEmbedder } from "../embed/create-embedder.js";
import { type RecordedEmbedder, checkEmbedderMatches, embedderSpaceId, parseEmbedderId, serverOfEmbedderId } from "../embed/embedder-identity.js";
import { GloveLexEmbedder } from "../embed/glove-lex-embedder.js";
import { OPENAI_EMBEDDING_MODELS } from "../embed/openai-embedder.js";
import { BundleError, EmbeddingError, ModelError, OptionsError } from "../errors.js";
import { type EvaluationReport, evaluatePredictions, majorityBaseline } from "../evaluate/evaluation-report.js";
import type { ScoredRows } from "../evaluate/scored-rows.js";
import type { Classifier } from "../classify/classifier.js";
import type { ForestOptions } from "../classify/forest/forest-options.js";
import type { ClassifierKind } from "../classify/classifier-spec.js";
import { readClassifier } from "../classify/read-classifier.js";
import type { LogisticRegressionOptions } from "../classify/linear/logistic-regression.js";
import { type LabelScheme, isLabelScheme } from "../data/parse-label.js";
import { type Matrix, toMatrix } from "../util/matrix.js";
import { VERSION } from "../version.js";
import { learnedBaselines, scoreBaseline } from "./baselines.js";
import { embedItems, pickRows } from "./embed-items.js";
import { type DecisionOptions, fitClassifier } from "./fit-classifier.js";
import { CalibratedClassifier } from "../classify/calibration/calibrated-classifier.js";
import { applyThreshold } from "../classify/threshold/choose-threshold.js";
import { type BundleManifest, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, readBundle, type WriteBundleOptions, writeBundle } from "./model-bundle.js";
import { type StoreSource, isStoreSource, storeDataset } from "./store-dataset.js";
import { type VectorCollection, isVectorCollection } from "../store/collection/vector-collection.js";
import { argmax } from "../util/argmax.js";
import { isBlankText } from "../util/text-checks.js";

/**
 * Where training is. "embed": texts embedded of unique texts. "fit": trees grown of the forest's trees
 * (a classifier that reports no steps counts as one unit), from a `done: 0` event at the start to
 * `done === total`. "evaluate": 0 of 1, then 1 of 1.
 */
export interface TrainProgress {
  stage: "embed" | "fit" | "evaluate";
  done: number;
  total: number;
}

export interface TrainOptions extends DecisionOptions {
  /** Embedder for the texts. Default: the offline GloveLexEmbedder (local:glove-lex-v2, 133 dims). Ignored when every item carries a vector. */
  embedder?: Embedder;
  /** A fetcher to embed through (to share its cache); built from `embedder` when absent. */
  fetcher?: EmbeddingFetcher;
  /**
   * For datasets that carry their own vectors: the id of the embedder that made them (CLI:
   * --vectors-from), e.g. "openai:text-embedding-3-small@10"; "@N" is added when missing. The model can
   * then embed text itself. Default `precomputed@<dims>` (origin unknown: predicting text needs an embedder).
   */
  precomputedEmbedderId?: string;
  /** The classifier: "forest" (default, a random forest) or "logistic" (L2 logistic regression). */
  classifier?: ClassifierKind;
  /** Forest hyperparameters (classifier "forest"). */
  forest?: ForestOptions;
  /** Logistic regression hyperparameters (classifier "logistic"). */
  logistic?: LogisticRegressionOptions;
  /**
   * How the labels were read, recorded in the bundle so evaluating a new file reads it the same way.
   * Default: the dataset's own (loadDataset sets it); unrecorded for a plain array of items.
   */
  labelScheme?: LabelScheme;
  /** Fraction held out for the test report, or 0 to train on everything. Default 0.2. */
  testSize?: number;
  /** Seed for the split (and the forest unless forest.seed is set). Default 42. */
  seed?: number;
  /**
   * Also score baselines on the same split for the report: the majority class, a kNN classifier
   * (k=15, cosine) and, beside a forest, logistic regression (C=1, standardized). Default true.
   */
  baseline?: boolean;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

export interface TrainResult {
  model: SentimentModel;
  /** Evaluation on the held-out test rows; null when testSize is 0. */
  report: EvaluationReport | null;
  split: { train: number[]; test: number[] };
  /** Embedding cost, when texts were embedded. */
  usage?: FetchUsage;
  /** Training from a store: its unlabelled rows, left out. */
  ignoredUnlabeled?: number;
  /** The test rows as scored (true class, probabilities, text), for charts and reports; absent when testSize is 0. */
  testRows?: ScoredRows;
}

export interface Prediction {
  text?: string;
  label: string;
  /** Probability of `label`. */
  probability: number;
  /** Probability of every label, by name. */
  probabilities: Record<string, number>;
}

export interface LoadModelOptions {
  /** The embedder to predict with. Default: rebuilt from the id recorded in the bundle. */
  embedder?: Embedder;
  /** Builds an embedder from a recorded id when `embedder` is not given. */
  resolveEmbedder?: (id: string, dimensions: number) => Embedder | undefined;
  /**
   * Threads the classifier may use to predict large batches (default 1; the forest hands a batch to
   * workers only from ~250,000 row × tree walks). The predictions are the same for any number.
   */
  nJobs?: number;
}

/**
 * A trained sentiment classifier: the embedder its vectors came from, the forest, and the label names.
 * Created by `SentimentModel.train` or `SentimentModel.load`; predicts labels with probabilities.
 */
export class SentimentModel {
  private constructor(
    readonly classifier: Classifier,
    readonly labels: string[],
    /** The id and dimensions of the embedding space the forest was trained in, and the server for OpenAI-protocol ids. */
    readonly embedderInfo: RecordedEmbedder,
    /** The embedder used for text predictions; undefined for models over precomputed vectors. */
    readonly embedder: Embedder | undefined,
    /** What the bundle records; filled on train and load. */
    readonly manifest: Omit<BundleManifest, "forest" | "generation" | "checksum"> & Partial<Pick<BundleManifest, "generation" | "checksum">> & { forest: Partial<BundleManifest["forest"]> },
  ) {}

  /** How the training labels were read; undefined for a bundle that does not record it (older, or trained from plain items). */
  get labelScheme(): LabelScheme | undefined {
    return this.manifest.labelScheme;
  }

  /** Why the recorded embedder could not be rebuilt on load (e.g. no API key), reported by predict(). */
  private embedderProblem: Error | undefined;

  /**
   * Embeds (or takes the dataset's vectors), splits, fits the forest, and evaluates on the test part.
   * Given a VectorStore (or its toTrainingSet()), trains on its labelled rows with the stored vectors,
   * embedding nothing; the model records the store's embedder and can embed text with it.
   */
  static async train(data: Dataset | LabeledText[] | StoreSource | VectorCollection, options: TrainOptions = {}): Promise<TrainResult> {
    // A collection (openCollection(), e.g. a lance: store) reads its rows from disk: its training set first.
    if (isVectorCollection(data)) return SentimentModel.trainFromStore({ ...(await data.toTrainingSet({ unlabeled: "skip" })), source: data.dir }, options);
    if (isStoreSource(data)) return SentimentModel.trainFromStore(data, options);
    const dataset = Array.isArray(data) ? undefined : data;
    const items = Array.isArray(data) ? data : data.items;
    // Checked before anything else: a NaN or negative testSize used to mean "no test split" without a word.
    const seed = checkSeed(options.seed ?? 42);
    const testSize = checkTestSize(options.testSize ?? 0.2, true);
    if (items.length === 0) {
      throw new ModelError("TRAIN_NO_ITEMS", "There is nothing to train on: the dataset has no items.", { hint: "Give a file with data rows." });
    }
    const unlabeled = items.findIndex((i) => i.label === undefined);
    if (unlabeled >= 0) {
      throw new ModelError("TRAIN_UNLABELED", `Item ${unlabeled} has no label; training needs a label on every item.`, { where: items[unlabeled].source });
    }
    const labels = dataset?.labels ?? [...new Set(items.map((i) => i.label!))].sort();
    if (labels.length < 2) {
      throw new ModelError("TRAIN_ONE_CLASS", `Training needs examples of at least two labels; all ${items.length} items are ${JSON.stringify(labels[0] ?? "unlabelled")}.`, {
        hint: "Add examples of the other label.",
      });
    }
    const classOf = new Map(labels.map((l, i) => [l, i]));
    const y = Int32Array.from(items, (i) => classOf.get(i.label!)!);

    // Split before embedding so a bad split fails fast, before anything is paid for.
    const split = testSize > 0 ? stratifiedSplit(items.map((i) => i.label!), { testSize, seed }) : { train: items.map((_, i) => i), test: [] };

    const precomputed = items.length > 0 && items.every((i) => i.vector !== undefined);
    const embedder = precomputed ? undefined : (options.fetcher?.embedder ?? options.embedder ?? new GloveLexEmbedder());
    const fetcher = precomputed
      ? undefined
      : (options.fetcher ??
        new EmbeddingFetcher(embedder!, {
          onProgress: (p) => options.onProgress?.({ stage: "embed", done: p.done, total: p.total }),
        }));
    const { rows, cols, usage } = await embedItems(items, fetcher, options.signal);
    const embedderInfo = embedder ? recordEmbedder(embedder.id, cols) : recordPrecomputed(options.precomputedEmbedderId, cols);

    const kind = options.classifier ?? "forest";
    // The training rows as they are (no copy): with --test-size 0 on a million rows, a copy was another 2 GB.
    const { classifier, threshold } = fitClassifier(pickRows(rows, split.train), Int32Array.from(split.train, (i) => y[i]), labels, { kind, forest: options.forest, logistic: options.logistic }, options, seed, options.onProgress);

    let report: EvaluationReport | null = null;
    let scoredTest: ScoredRows | undefined;
    if (split.test.length > 0) {
      options.onProgress?.({ stage: "evaluate", done: 0, total: 1 });
      const testRows = pickRows(rows, split.test);
      const proba = classifier.predictProba(testRows);
      const yTrue = split.test.map((i) => y[i]);
      report = evaluatePredictions({ labels, yTrue, yPred: threshold ? applyThreshold(proba, threshold.value) : proba.map(argmax), proba });
      if (threshold) report.threshold = threshold.value;
      if (classifier instanceof CalibratedClassifier) report.uncalibrated = uncalibratedScores(classifier, testRows, yTrue, labels);
      scoredTest = { labels, yTrue, proba, texts: split.test.map((i) => items[i].text) };
      if (options.baseline !== false) {
        const prior = new Array<number>(labels.length).fill(0);
        for (const i of split.train) prior[y[i]]++;
        const learned = learnedBaselines(pickRows(rows, split.train), split.train.map((i) => y[i]), testRows, kind);
        report.baselines = [majorityBaseline(labels, yTrue, prior), ...learned.map((b) => scoreBaseline(b, labels, yTrue))];
      }
      options.onProgress?.({ stage: "evaluate", done: 1, total: 1 });
    }
    const files = dataset?.files ?? [...new Set(items.map((i) => i.source.file))];
    const model = new SentimentModel(classifier, labels, embedderInfo, embedder, {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      toolkitVersion: VERSION,
      createdAt: new Date().toISOString(),
      embedder: embedderInfo,
      labels,
      ...labelSchemeEntry(options.labelScheme ?? dataset?.labelScheme),
      classifier: { kind, ...(options.calibrate ? { calibration: { method: options.calibrate, folds: options.innerFolds ?? 5 } } : {}), ...(threshold ? { threshold } : {}) },
      forest: { engine: classifier.engine, params: { ...classifier.params } },
      training: { seed, testSize, trainRows: split.train.length, testRows: split.test.length },
      metrics: report,
      dataset: { files, fingerprint: dataset?.fingerprint ?? "", rows: items.length },
    });
    return { model, report, split, usage, testRows: scoredTest };
  }

  /** train() on a store's labelled rows: its vectors, its embedder id (as if its embedder had made them here). */
  private static async trainFromStore(data: StoreSource, options: TrainOptions): Promise<TrainResult> {
    const { dataset, embedderId, ignoredUnlabeled } = storeDataset(data);
    const known = !embedderId.startsWith("precomputed");
    const given = options.fetcher?.embedder ?? options.embedder;
    const dims = dataset.items[0]?.vector?.length;
    if (given && dims !== undefined) checkEmbedderMatches({ id: embedderId, dimensions: dims }, given, "This store holds");
    const result = await SentimentModel.train(dataset, { ...options, embedder: undefined, fetcher: undefined, precomputedEmbedderId: undefined });
    const m = result.model;
    const embedderInfo = known ? recordEmbedder(embedderId, m.embedderInfo.dimensions) : m.embedderInfo;
    // The text embedder: the one given (checked above), else rebuilt from the store's id, as load() does.
    const rebuilt = given || !known ? { embedder: given } : defaultEmbedderFor(embedderInfo);
    const model = new SentimentModel(m.classifier, m.labels, embedderInfo, rebuilt.embedder, { ...m.manifest, embedder: embedderInfo });
    model.embedderProblem = rebuilt.problem;
    return { ...result, model, ignoredUnlabeled };
  }

  /**
   * Predicts the label and probability of each text, embedding them with the model's embedder.
   * A blank text (empty, or only spaces, control or invisible characters) is refused with a ModelError
   * naming its position: it has no sentiment, and any label would be a made-up answer.
   */
  async predict(texts: string[], options: { signal?: AbortSignal; fetcher?: EmbeddingFetcher } = {}): Promise<Prediction[]> {
    const blank = texts.findIndex((t) => typeof t !== "string" || isBlankText(t));
    if (blank >= 0) {
      throw new ModelError("PREDICT_BLANK_TEXT", `Text ${blank + 1} of ${texts.length} is ${typeof texts[blank] !== "string" ? `a ${typeof texts[blank]}, not a string` : texts[blank] === "" ? "empty" : "blank"}: there is nothing to classify.`, {
        hint: "Leave out blank texts; a blank text has no sentiment.",
      });
    }
    const fetcher = options.fetcher ?? new EmbeddingFetcher(this.textEmbedder());
    this.checkEmbedder(fetcher.embedder);
    const { vectors } = await fetcher.fetch(texts, { signal: options.signal });
    return this.predictVectors(vectors).map((p, i) => ({ text: texts[i], ...p }));
  }

  /** The two-class decision threshold on the second label's probability, when the model has one. */
  get threshold(): number | undefined {
    return this.manifest.classifier?.threshold?.value;
  }

  /** Predicts from vectors already in the model's embedding space. */
  predictVectors(vectors: Matrix | ArrayLike<number>[]): Prediction[] {
    const X = toMatrix(vectors, "vectors to predict");
    if (X.rows > 0 && X.cols !== this.embedderInfo.dimensions) {
      throw new ModelError("PREDICT_DIMENSIONS", `The model expects ${this.embedderInfo.dimensions}-dimensional vectors (${this.embedderInfo.id}) but got ${X.cols}.`, {
        hint: "Embed with the embedder the model was trained with.",
      });
    }
    const threshold = this.threshold;
    return this.classifier.predictProba(X).map((p) => {
      const best = threshold !== undefined && p.length === 2 ? (p[1] >= threshold ? 1 : 0) : argmax(p);
      return {
        label: this.labels[best],
        probability: p[best],
        probabilities: Object.fromEntries(this.labels.map((l, c) => [l, p[c]])),
      };
    });
  }

  /** Scores the model on a labelled dataset (embedding its texts, or using its vectors). */
  async evaluate(data: Dataset | LabeledText[], options: { signal?: AbortSignal; fetcher?: EmbeddingFetcher; onScored?: (rows: ScoredRows) => void } = {}): Promise<EvaluationReport> {
    const items = Array.isArray(data) ? data : data.items;
    const classOf = new Map(this.labels.map((l, i) => [l, i]));
    const yTrue = items.map((item) => {
      const c = item.label === undefined ? undefined : classOf.get(item.label);
      if (c === undefined) {
        throw new ModelError("EVALUATE_LABEL", `Label ${JSON.stringify(item.label)} is not one the model knows (${this.labels.join(", ")}).`, { where: item.source });
      }
      return c;
    });
    const precomputed = items.every((i) => i.vector !== undefined);
    const fetcher = precomputed ? undefined : (options.fetcher ?? new EmbeddingFetcher(this.textEmbedder()));
    if (fetcher) this.checkEmbedder(fetcher.embedder);
    const { rows } = await embedItems(items, fetcher, options.signal);
    const proba = this.predictVectors(rows).map((p) => Float64Array.from(this.labels, (l) => p.probabilities[l]));
    const threshold = this.threshold;
    const report = evaluatePredictions({ labels: this.labels, yTrue, yPred: threshold !== undefined ? applyThreshold(proba, threshold) : proba.map(argmax), proba });
    if (threshold !== undefined) report.threshold = threshold;
    // The scored file's own class shares: "always the commonest label" on exactly these rows.
    if (yTrue.length > 0) report.baselines = [majorityBaseline(this.labels, yTrue)];
    // Handed over for charts (the HTML report) without growing the report itself, which bundles save.
    options.onScored?.({ labels: this.labels, yTrue, proba, texts: items.map((i) => i.text) });
    return report;
  }

  /** Writes the bundle to `dir` (created if needed), atomically and under the folder's lock (see writeBundle). */
  async save(dir: string, options: WriteBundleOptions = {}): Promise<BundleManifest> {
    return writeBundle(dir, { ...this.manifest, forest: { engine: this.classifier.engine, params: { ...this.classifier.params } } }, this.classifier.serialize(), options);
  }

  /** Reads and verifies a bundle; the embedder is rebuilt from its id unless one is given. */
  static async load(dir: string, options: LoadModelOptions = {}): Promise<SentimentModel> {
    const { manifest, forest } = await readBundle(dir);
    const classifier = readClassifier(forest, { nJobs: options.nJobs });
    if (manifest.labelScheme !== undefined && !isLabelScheme(manifest.labelScheme)) {
      throw new BundleError("BUNDLE_CORRUPT", `The manifest's label scheme ${JSON.stringify(manifest.labelScheme)} is not one this sentivec knows.`, { where: { file: dir }, hint: "Upgrade sentivec or train the model again." });
    }
    if (classifier.nFeatures !== manifest.embedder.dimensions || classifier.nClasses > manifest.labels.length) {
      throw new BundleError("BUNDLE_MISMATCH", `The classifier expects ${classifier.nFeatures} features and ${classifier.nClasses} classes but the manifest records ${manifest.embedder.dimensions} dimensions and ${manifest.labels.length} labels.`, {
        where: { file: dir },
        hint: "The bundle's files do not belong together; train the model again.",
      });
    }
    const resolved = options.embedder ?? options.resolveEmbedder?.(manifest.embedder.id, manifest.embedder.dimensions);
    if (resolved) {
      const model = new SentimentModel(classifier, manifest.labels, manifest.embedder, resolved, manifest);
      model.checkEmbedder(resolved);
      return model;
    }
    // Rebuilt from the id alone: a problem (no key, a server to name) is kept for predict() to report,
    // so the model still loads for inspection and predictVectors.
    const { embedder, problem } = defaultEmbedderFor(manifest.embedder);
    const model = new SentimentModel(classifier, manifest.labels, manifest.embedder, embedder, manifest);
    model.embedderProblem = problem;
    return model;
  }

  /** The embedder that embeds text for this model, or the reason there is none (one clear error). */
  textEmbedder(): Embedder {
    if (this.embedder) return this.embedder;
    if (this.embedderProblem) throw this.embedderProblem;
    const { id, dimensions } = this.embedderInfo;
    throw new EmbeddingError("PREDICT_NO_EMBEDDER", `This model was trained on precomputed vectors of unknown origin (${id}); it cannot embed text itself.`, {
      hint: `Pass --embedder SPEC --dimensions ${dimensions} naming the embedder that made them (e.g. --embedder openai:text-embedding-3-small --dimensions ${dimensions}), or train with --vectors-from ID (library: load with { embedder }, or call predictVectors).`,
    });
  }

  /**
   * Refuses an embedder whose space differs from the one the forest learned (another model, size or
   * server): that would be a silent wrong answer. Runs at load, before anything is sent anywhere.
   */
  checkEmbedder(embedder: Embedder): void {
    checkModelEmbedder(this.embedderInfo, embedder);
  }
}

/** Brier score and log-loss of the classifier under a calibration, on the same rows: the report's "before". */
function uncalibratedScores(classifier: CalibratedClassifier, rows: Float32Array[], yTrue: number[], labels: string[]): EvaluationReport["uncalibrated"] {
  const proba = classifier.uncalibrated.predictProba(rows);
  const r = evaluatePredictions({ labels, yTrue, yPred: proba.map(argmax), proba });
  return { method: classifier.method, brier: r.brier!, logLoss: r.logLoss! };
}

/** The manifest entry for a label scheme; none when it is unknown (a library caller's own items). */
function labelSchemeEntry(scheme: LabelScheme | undefined): { labelScheme?: LabelScheme } {
  return scheme === undefined ? {} : { labelScheme: scheme };
}

function checkModelEmbedder(recorded: RecordedEmbedder, embedder: Embedder): void {
  checkEmbedderMatches(recorded, embedder);
  // A bundle that does not record its server, for a model OpenAI does not serve: the vectors came from
  // some other server, so api.openai.com would get the texts and key for nothing.
  const want = parseEmbedderId(recorded.id);
  const got = parseEmbedderId(embedder.id);
  if (want?.provider === "openai" && recorded.server === undefined && want.server === undefined && got?.server === undefined && !(want.model in OPENAI_EMBEDDING_MODELS)) {
    throw new EmbeddingError("EMBEDDER_SERVER_UNKNOWN", `This model was trained on ${recorded.id} vectors, a model api.openai.com does not serve, and records no server; nothing was sent.`, {
      hint: "Pass --base-url with the URL of the server it was made with.",
    });
  }
}

/** What a bundle records for vectors this embedder made: the id, and the server for OpenAI-protocol ids. */
function recordEmbedder(id: string, dimensions: number): RecordedEmbedder {
  const server = serverOfEmbedderId(id);
  return server === undefined ? { id, dimensions } : { id, dimensions, server };
}

/**
 * The id recorded for a dataset's own vectors: the one the caller names (checked, "@N" added), else
 * "precomputed@N". Where the named vectors were fetched is unknown unless the id names a server.
 */
function recordPrecomputed(given: string | undefined, dimensions: number): RecordedEmbedder {
  if (given === undefined) return { id: `precomputed@${dimensions}`, dimensions };
  const parts = parseEmbedderId(given);
  if (!parts || given.startsWith("precomputed:")) {
    throw new OptionsError("TRAIN_VECTORS_FROM", `"${given}" is not an embedder id (--vectors-from).`, {
      hint: "Name the embedder that made the vectors, e.g. openai:text-embedding-3-small@10 (see `sentivec cache stats` for ids).",
    });
  }
  if (parts.dimensions !== undefined && parts.dimensions !== dimensions) {
    throw new OptionsError("TRAIN_VECTORS_FROM", `--vectors-from ${given} names ${parts.dimensions} dimensions, but the dataset's vectors have ${dimensions}.`, {
      hint: `Use @${dimensions}, or the id of the embedder that really made these vectors.`,
    });
  }
  const id = `${parts.provider}:${parts.model}@${dimensions}${parts.server ? `~${parts.server}` : ""}`;
  return parts.server ? { id, dimensions, server: parts.server } : { id, dimensions };
}

/**
 * Rebuilds the embedder a bundle records. Returns the reason instead of throwing when that is not
 * possible here (no key set, or a server to name with --base-url): the model still loads for inspection and for
 * predictVectors, and predict() explains what is missing.
 */
function defaultEmbedderFor(recorded: RecordedEmbedder): { embedder?: Embedder; problem?: Error } {
  if (recorded.id.startsWith("precomputed")) return {};
  try {
    const embedder = createEmbedder(embedderSpaceId(recorded.id));
    checkModelEmbedder(recorded, embedder);
    return { embedder };
  } catch (error) {
    return { problem: error as Error };
  }
}
