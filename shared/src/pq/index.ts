// Product quantization at the edge: decode and asymmetric (inner-product) scoring, no native dependency.
export * from './codebook.ts';
export * from './adc.ts';
