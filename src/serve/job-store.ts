/**
 * The data folder a server and its workers share (a local folder, or a network file system when
 * workers run on other machines):
 *
 *   uploads/<random>/          an upload being received and checked (removed on success and failure)
 *   jobs/<id>/job.json         the job's record (model, owner key, times, inputs; no patient data)
 *   jobs/<id>/input/           the checked inputs under generated names (0.nii.gz, 1/ for DICOM, ...)
 *   jobs/<id>/result/          written by a worker into a temporary folder and renamed at once
 *   jobs/<id>/correction/      a radiologist's corrected label for this job
 *   corrections/<model>/       corrections as an MSD dataset (imagesTr, labelsTr, provenance) for `train`
 *   monitoring/<model>/        one record per finished job (input fingerprint, output statistics)
 *
 * Every path is built from a generated job id or a checked model name (ids.ts).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { VesaliusError } from '../util/errors.js';
import { inside, isJobId, isModelName } from './ids.js';

export type InputKind = 'nifti' | 'nrrd' | 'dicom' | 'raster';

export interface JobInput {
  /** Generated name under input/ (a file, or a folder of DICOM files). */
  file: string;
  kind: InputKind;
  /** The client's file name, sanitised; for display only. */
  name: string;
  voxels: number;
}

export interface JobOptions {
  /** Mirroring test-time augmentation (default true). */
  tta: boolean;
}

/** A job that names a study on the server's DICOMweb source instead of uploading. */
export interface DicomWebSource {
  /** The server's configured DICOMweb root (from `--dicomweb`, never from a request). */
  url: string;
  study: string;
  /** The series to segment (default: the study's only image series). */
  series?: string;
  /** Store the SEG and SR back into the study over STOW-RS. */
  store: boolean;
  /** The server's limits at submission, applied to what is retrieved. */
  maxBytes: number;
  maxVoxels: number;
}

export interface JobRecord {
  id: string;
  model: string;
  /** Id of the API key that submitted it. */
  owner: string;
  createdAt: string;
  expiresAt: string;
  inputs: JobInput[];
  options: JobOptions;
  /** Set when the job was cancelled before a worker finished it. */
  cancelledAt?: string;
  /** The active-learning worklist case this job predicts, when it came from the worklist. */
  worklistCase?: string;
  /** Set for a job whose input a worker retrieves over DICOMweb (inputs stay empty until then). */
  dicomweb?: DicomWebSource;
}

/** Paths and records of the jobs in a data folder (see the module comment). */
export class JobStore {
  /**
   * Opens a data folder.
   *
   * @param root - the data folder (its sub-folders are created)
   */
  constructor(readonly root: string) {
    for (const dir of ['uploads', 'jobs', 'corrections', 'monitoring'])
      mkdirSync(inside(root, dir), { recursive: true });
  }

  private check(id: string): string {
    if (!isJobId(id)) throw new VesaliusError(`not a job id: ${JSON.stringify(id.slice(0, 40))}`);
    return id;
  }

  /** The job's folder (throws for a string that is not a job id). */
  jobDir(id: string): string {
    return inside(this.root, 'jobs', this.check(id));
  }

  /** The job's checked inputs. */
  inputDir(id: string): string {
    return inside(this.jobDir(id), 'input');
  }

  /** The job's published result. */
  resultDir(id: string): string {
    return inside(this.jobDir(id), 'result');
  }

  /** The job's corrected label. */
  correctionDir(id: string): string {
    return inside(this.jobDir(id), 'correction');
  }

  /** Where uploads are staged while they are checked. */
  uploadsDir(): string {
    return inside(this.root, 'uploads');
  }

  /** The monitoring records of a model. */
  monitoringDir(model: string): string {
    if (!isModelName(model)) throw new VesaliusError(`not a model name: ${JSON.stringify(model.slice(0, 40))}`);
    return inside(this.root, 'monitoring', model);
  }

  /** The corrections dataset (MSD layout) of a model. */
  correctionsDataset(model: string): string {
    if (!isModelName(model)) throw new VesaliusError(`not a model name: ${JSON.stringify(model.slice(0, 40))}`);
    return inside(this.root, 'corrections', model);
  }

  /** Writes the job's record atomically. */
  write(record: JobRecord): void {
    writeFileAtomic(inside(this.jobDir(record.id), 'job.json'), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** The job's record, or undefined when there is no such job (deleted or expired). */
  read(id: string): JobRecord | undefined {
    if (!isJobId(id)) return undefined;
    const path = inside(this.jobDir(id), 'job.json');
    if (!existsSync(path)) return undefined;
    return JSON.parse(readFileSync(path, 'utf8')) as JobRecord;
  }

  /** Ids of every job folder. */
  ids(): string[] {
    return readdirSync(inside(this.root, 'jobs')).filter(isJobId);
  }

  /** Removes a job's folder and everything in it. */
  remove(id: string): void {
    rmSync(this.jobDir(id), { recursive: true, force: true });
  }
}
