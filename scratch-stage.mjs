import { decodePng, encodePng } from './ui/engine/codec.ts';
import { toPlanes, fromPlanes } from './ui/engine/image/raw.ts';
const w=4000,h=3000; const data=new Uint8Array(w*h*3); let seed=5;
for(let i=0;i<data.length;i++){seed=(Math.imul(seed,1103515245)+12345)>>>0; data[i]=((i/3%w)*0.05 + (seed>>>28))&255;}
const png=encodePng({width:w,height:h,channels:3,depth:8,data});
function t(n,f){const a=performance.now();const r=f();console.log(n,(performance.now()-a).toFixed(0),'ms');return r;}
for(let k=0;k<3;k++){
const img=t('decodePng',()=>decodePng(png));
const pl=t('toPlanes',()=>toPlanes(img));
const back=t('fromPlanes',()=>fromPlanes(pl));
t('encodePng',()=>encodePng(back));
}
