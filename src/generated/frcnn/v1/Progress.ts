// Original file: proto/frcnn/v1/common.proto


export interface Progress {
  'done'?: (number | string);
  'total'?: (number | string);
  'unit'?: (string);
  'losses'?: ({[key: string]: number | string});
  'message'?: (string);
}

export interface Progress__Output {
  'done': (number);
  'total': (number);
  'unit': (string);
  'losses': ({[key: string]: number});
  'message': (string);
}
