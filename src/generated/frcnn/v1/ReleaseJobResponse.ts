// Original file: proto/frcnn/v1/worker.proto


export interface ReleaseJobResponse {
}

export interface ReleaseJobResponse__Output {
}
